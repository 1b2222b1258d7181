"""The integrity-archive command: ingest, collect, schedule, retry-failed, serve, search,
failures, versions, users, reclassify, audit, backup, restore, rebuild, reindex, sample-corpus,
sample-site, segment."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from pathlib import Path


def _settings():  # noqa: ANN202
    from config import get_settings

    return get_settings()


def _start_prefect():  # noqa: ANN202
    """Prefect's offline defaults, and unless a Prefect server is configured, this command's
    ephemeral one started now: it comes up while the command imports Prefect and warms up."""
    from flows.prefect_env import apply_offline_defaults, start_ephemeral_server

    apply_offline_defaults()
    return start_ephemeral_server()


def _prefect_ready(server) -> None:  # noqa: ANN001
    """Wait for the command's own Prefect server, if it started one. Prefect and the flow are
    imported by now: their objects (hundreds of thousands) live as long as the process, so the
    collector is told to leave them out of every later collection (gc.freeze) — when the
    command owns the process; a caller's objects are not this command's to freeze."""
    if _owns_process:
        import gc

        gc.freeze()
    if server is not None:
        server.wait()


def cmd_ingest(args: argparse.Namespace) -> int:
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "INFO")
    source = Path(args.path)
    if not source.is_dir():
        print(f"error: {source} is not a folder", file=sys.stderr)
        return 2
    from flows.session import prepare_session

    prepare_session()  # the index writer (fails fast if held) and the workers, warming up
    server = _start_prefect()
    from flows.ingest_flow import ingest_documents

    _prefect_ready(server)
    summary = ingest_documents(str(source), retry_failed=args.retry_failed)
    if args.json:
        print(json.dumps(summary, ensure_ascii=False, indent=2))
    else:
        print(f"indexed {summary['indexed']}, skipped {summary['skipped']} unchanged, "
              f"failed {summary['failed']}, removed {summary['removed']}")
        for failure in summary["failures"]:
            print(f"  FAILED {failure['file']}: [{failure['kind']}] {failure['reason']}")
    return 0


def cmd_collect(args: argparse.Namespace) -> int:
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "INFO")
    server = _start_prefect()
    from flows.collect_flow import collect_source

    _prefect_ready(server)
    result = collect_source(args.name, sources_file=args.sources)
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
        return 0
    fetch, ingest = result["fetch"], result["ingest"]
    if fetch:
        print(f"fetched {fetch['fetched']} (not modified {fetch['not_modified']}): "
              f"new {len(fetch['new'])}, changed {len(fetch['changed'])}, "
              f"removed {len(fetch['removed'])}, failed {len(fetch['failed'])}")
        for failure in fetch["failed"]:
            print(f"  FETCH FAILED {failure['url']}: {failure['reason']}")
    print(f"indexed {ingest['indexed']}, skipped {ingest['skipped']} unchanged, "
          f"failed {ingest['failed']}, removed {ingest['removed']}")
    return 0


def cmd_schedule(args: argparse.Namespace) -> int:
    if not os.environ.get("PREFECT_API_URL"):
        print("error: scheduled runs need a Prefect server: run `prefect server start` and set "
              "PREFECT_API_URL (e.g. http://127.0.0.1:4200/api)", file=sys.stderr)
        return 2
    from flows.collect_flow import schedule_sources

    sources = args.sources or str(_settings().sources_file)
    schedule_sources(sources, args.only or None)
    return 0


def cmd_retry_failed(args: argparse.Namespace) -> int:
    from search_index.ledger import Ledger

    settings = _settings()
    if not settings.ledger_path.exists():
        print("no ingest has run yet")
        return 0
    with Ledger(settings.ledger_path) as ledger:
        folders = sorted({f.source for f in ledger.failures() if f.error_kind != "fetch"})
    if not folders:
        print("no failed files to retry")
        return 0
    from flows.session import prepare_session

    prepare_session()
    server = _start_prefect()
    from flows.ingest_flow import ingest_documents

    _prefect_ready(server)
    for folder in folders:
        if not Path(folder).is_dir():
            print(f"skipped {folder}: the folder no longer exists")
            continue
        summary = ingest_documents(folder, retry_failed=True, only_failed=True)
        print(f"{folder}: indexed {summary['indexed']}, still failing {summary['failed']}")
        for failure in summary["failures"]:
            print(f"  FAILED {failure['file']}: [{failure['kind']}] {failure['reason']}")
    return 0


def cmd_users(args: argparse.Namespace) -> int:
    import getpass

    from search_api.accounts import AccountError, Accounts

    accounts = Accounts(_settings().data_dir / "accounts.sqlite3")
    try:
        if args.action == "add":
            password = sys.stdin.readline().rstrip("\n") if args.password_stdin \
                else getpass.getpass(f"password for {args.name}: ")
            accounts.add_user(args.name, args.role, password)
            print(f"user {args.name} ({args.role}) saved")
        else:
            print(accounts.issue(args.name, kind="api_key"))
    except AccountError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


def cmd_audit(args: argparse.Namespace) -> int:
    from search_api.audit_log import AuditLog

    intact, count, message = AuditLog(_settings().data_dir / "audit.log").verify()
    print(("OK: " if intact else "TAMPERED: ") + message)
    return 0 if intact else 1


def cmd_reclassify(args: argparse.Namespace) -> int:
    from search_api.audit_log import AuditLog
    from search_index import open_backend
    from search_index.ledger import Ledger

    settings = _settings()
    backend = open_backend(settings, writable=True)
    try:
        updated = backend.reclassify(args.doc_id, args.disclosure)
    finally:
        backend.close()
    if updated is None:
        print(f"error: no document with id {args.doc_id!r}", file=sys.stderr)
        return 1
    with Ledger(settings.ledger_path) as ledger:
        ledger.set_disclosure(args.doc_id, args.disclosure, args.reason, args.user)
    AuditLog(settings.data_dir / "audit.log").append(args.user, "admin", "reclassify",
                                                     doc_id=args.doc_id,
                                                     disclosure=args.disclosure, reason=args.reason)
    print(f"{args.doc_id} is now {args.disclosure}")
    return 0


def cmd_versions(args: argparse.Namespace) -> int:
    from collectors.crawl_state import CrawlState

    state_path = _settings().sources_dir / args.source / "crawl.sqlite3"
    if not state_path.exists():
        print(f"error: source {args.source!r} has not been crawled yet", file=sys.stderr)
        return 2
    with CrawlState(state_path) as state:
        rows = state.versions(args.url)
    if args.json:
        print(json.dumps([{"url": u, "sha256": h, "path": p, "fetched_at": t, "state": st}
                          for u, h, p, t, st in rows], ensure_ascii=False, indent=2))
        return 0
    for url, digest, path, fetched, state_name in rows:
        print(f"{fetched}  {state_name:<10}  {digest[:12]}  {url}\n{'':>38}{path}")
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    from search_index.backup import BackupError, backup

    try:
        manifest = backup(_settings().data_dir, Path(args.dest))
    except BackupError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"backed up {len(manifest['indexes'])} indexes, {len(manifest['sqlite'])} databases, "
          f"{manifest['files']} original files, {manifest['audit_entries']} audit entries "
          f"into {args.dest}")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from search_index.backup import BackupError, restore

    try:
        manifest = restore(Path(args.source), _settings().data_dir)
    except BackupError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"restored the backup of {manifest['created']} into {_settings().data_dir}")
    return 0


def cmd_rebuild(args: argparse.Namespace) -> int:
    from search_index.rebuild import RebuildError, rebuild

    try:
        report = rebuild(_settings())
    except RebuildError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
        return 0
    print(f"rebuilt the index from the stored originals: {report.documents} documents "
          f"({report.public} public), {len(report.failed)} failed, "
          f"{len(report.missing)} without a stored original (left for the next ingest)"
          + ("; the unreadable ledger was rebuilt" if report.ledger_rebuilt else "")
          + f" in {report.seconds:.1f} s")
    for relpath, reason in report.failed:
        print(f"  FAILED {relpath}: {reason}")
    return 0


def cmd_reindex(args: argparse.Namespace) -> int:
    server = _start_prefect()
    from flows.reindex_flow import reindex_index

    _prefect_ready(server)
    result = reindex_index()
    print(f"reindexed {result['documents']} documents: {result['from']} -> {result['to']}")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from search_api.app import create_app

    settings = _settings()
    uvicorn.run(create_app(settings, writable=args.writable), host=args.host or settings.api.host,
                port=args.port or settings.api.port, log_level=settings.log_level.lower())
    return 0


def cmd_search(args: argparse.Namespace) -> int:
    from search_index import SearchQuery, open_backend

    backend = open_backend(_settings())
    try:
        page = backend.search(SearchQuery(text=args.query, limit=args.limit))
    finally:
        backend.close()
    if args.json:
        from search_api.schemas import SearchOut

        print(SearchOut.model_validate(page, from_attributes=True).model_dump_json(indent=2))
        return 0
    print(f"{page.total} hits")
    for hit in page.hits:
        print(f"{hit.score:7.2f}  {hit.title}  [{hit.doc_type}] {hit.filename} p.{hit.page}")
        for hl in hit.highlights[:1]:
            text = hl.text.replace("<mark>", "[").replace("</mark>", "]")
            import html as _html

            print(f"         {_html.unescape(text)}")
    return 0


def cmd_failures(args: argparse.Namespace) -> int:
    from search_index.ledger import Ledger

    settings = _settings()
    if not settings.ledger_path.exists():
        print("no ingest has run yet (no ledger in", settings.data_dir, ")")
        return 0
    with Ledger(settings.ledger_path) as ledger:
        failures = ledger.failures()
    if args.json:
        print(json.dumps([{"source": f.source, "file": f.relpath, "kind": f.error_kind,
                           "reason": f.reason, "sha256": f.sha256, "updated_at": f.updated_at}
                          for f in failures], ensure_ascii=False, indent=2))
        return 0
    if not failures:
        print("no failed files")
    for f in failures:
        print(f"{Path(f.source) / f.relpath}\t[{f.error_kind}] {f.reason}")
    return 0


def cmd_sample_corpus(args: argparse.Namespace) -> int:
    from cli.sample_corpus import generate

    files = generate(Path(args.dir), seed=args.seed, integrity_cases=args.integrity_cases)
    print(f"wrote {len(files)} documents under {args.dir}")
    return 0


def cmd_sample_site(args: argparse.Namespace) -> int:
    """Crawl the generated sample agency site twice (planted silent edits and removals) into
    the data dir, ingesting its mirror after each crawl through the Prefect flow, as two
    scheduled `collect` runs would."""
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "INFO")
    from cli.sample_site import planted_already, plant_crawl_history

    sources_dir = _settings().sources_dir
    server = None if planted_already(sources_dir) else _start_prefect()  # nothing to ingest

    def ingest(folder: Path) -> None:
        from flows.ingest_flow import ingest_documents

        _prefect_ready(server)
        summary = ingest_documents(str(folder))
        print(f"ingested {folder}: indexed {summary['indexed']}, skipped {summary['skipped']} "
              f"unchanged, failed {summary['failed']}, removed {summary['removed']}",
              file=sys.stderr if args.json else sys.stdout)

    result = plant_crawl_history(sources_dir, ingest=ingest)
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
    elif result["already"]:
        print(f"the sample site's crawl history is already in {result['root']} (left alone)")
    else:
        print(f"crawled the sample agency site ({result['site']}) twice into {result['root']}: "
              f"{result['attachments']} attachments, then {len(result['changed'])} changed and "
              f"{len(result['removed'])} removed")
    return 0


def cmd_debarred(args: argparse.Namespace) -> int:
    from search_index.debarment import DebarredList, read_list
    from search_index.integrity import debarred_path

    store = DebarredList(debarred_path(_settings().data_dir))
    if args.action == "import":
        count = store.replace_all(read_list(Path(args.file)))
        print(f"imported {count} debarred firms from {args.file}")
        return 0
    entries = store.all()
    if args.json:
        print(json.dumps([e.to_dict() for e in entries], ensure_ascii=False, indent=1))
    for e in entries if not args.json else ():
        print(f"{e.ban or '-'}\t{e.name}\t{e.start.isoformat()}..{e.end.isoformat() if e.end else ''}"
              f"\t{e.agency}\t{e.article}")
    return 0


def cmd_segment(args: argparse.Namespace) -> int:
    from analyzers import get_analyzer

    analyzer = get_analyzer()
    out = sys.stdout
    chunk: list[str] = []
    interactive = sys.stdin.isatty()

    def flush() -> None:
        for words in analyzer.segment_lines(chunk):
            out.write(" ".join(words) + "\n")
        chunk.clear()
        out.flush()

    for line in sys.stdin:
        chunk.append(line.rstrip("\n").rstrip("\r"))
        if len(chunk) >= 512 or interactive:
            flush()
    flush()
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="integrity-archive",
                                     description="Procurement integrity document archive.")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("ingest", help="ingest a folder through the Prefect flow")
    p.add_argument("path")
    p.add_argument("--retry-failed", action="store_true", help="retry files that failed before")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_ingest)
    p = sub.add_parser("collect", help="crawl or import one configured source, then ingest it")
    p.add_argument("name")
    p.add_argument("--sources", help="sources file (default: ARCHIVE_SOURCES_FILE)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_collect)
    p = sub.add_parser("versions", help="every kept version of a crawled source's attachments")
    p.add_argument("source")
    p.add_argument("url", nargs="?", help="only this attachment URL")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_versions)
    p = sub.add_parser("schedule", help="serve the sources' scheduled deployments on a Prefect server")
    p.add_argument("--sources", help="sources file (default: ARCHIVE_SOURCES_FILE)")
    p.add_argument("--only", nargs="*", help="only these source names")
    p.set_defaults(func=cmd_schedule)
    p = sub.add_parser("retry-failed", help="re-ingest only the files that failed before")
    p.set_defaults(func=cmd_retry_failed)
    p = sub.add_parser("users", help="auditor and admin accounts")
    users = p.add_subparsers(dest="action", required=True)
    u = users.add_parser("add", help="create or update an account (asks for the password)")
    u.add_argument("name")
    u.add_argument("--role", choices=["auditor", "admin"], required=True)
    u.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    u = users.add_parser("api-key", help="issue an API key (printed once)")
    u.add_argument("name")
    p.set_defaults(func=cmd_users)
    p = sub.add_parser("audit", help="the audit trail")
    audit_sub = p.add_subparsers(dest="action", required=True)
    audit_sub.add_parser("verify", help="prove the hash chain of the audit log")
    p.set_defaults(func=cmd_audit)
    p = sub.add_parser("reclassify", help="make a document public or restricted (admin)")
    p.add_argument("doc_id")
    p.add_argument("disclosure", choices=["public", "restricted"])
    p.add_argument("--reason", required=True)
    p.add_argument("--user", default=os.environ.get("USER", "admin"))
    p.set_defaults(func=cmd_reclassify)
    p = sub.add_parser("backup", help="copy the data dir (safe while serving and ingesting)")
    p.add_argument("dest")
    p.set_defaults(func=cmd_backup)
    p = sub.add_parser("restore", help="restore a backup into an empty ARCHIVE_DATA_DIR")
    p.add_argument("source")
    p.set_defaults(func=cmd_restore)
    p = sub.add_parser("rebuild", help="rebuild the embedded index (and check the ledger) from "
                                       "the stored originals; swapped in atomically")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_rebuild)
    p = sub.add_parser("reindex", help="rebuild the Elasticsearch index and swap its aliases")
    p.set_defaults(func=cmd_reindex)
    p = sub.add_parser("serve", help="serve the API and web page")
    p.add_argument("--host")
    p.add_argument("--port", type=int)
    p.add_argument("--writable", action="store_true",
                   help="hold the index writer (admins reclassify through the API; no ingest meanwhile)")
    p.set_defaults(func=cmd_serve)
    p = sub.add_parser("search", help="search the index")
    p.add_argument("query")
    p.add_argument("--limit", type=int, default=10)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_search)
    p = sub.add_parser("failures", help="list files that could not be indexed, with reasons")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_failures)
    p = sub.add_parser("sample-corpus", help="write the fictional sample corpus")
    p.add_argument("dir")
    p.add_argument("--seed", type=int, default=113)
    p.add_argument("--integrity-cases", action="store_true",
                   help="also write the planted red-flag cases (two or more per flag kind)")
    p.set_defaults(func=cmd_sample_corpus)
    p = sub.add_parser("sample-site", help="crawl the generated sample agency site twice into the "
                                           "data dir (planted silent edits and removals), ingest it")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_sample_site)
    p = sub.add_parser("debarred", help="the debarred-contractor list (拒絕往來廠商)")
    debarred = p.add_subparsers(dest="action", required=True)
    d = debarred.add_parser("import", help="replace the list with a PCC-format CSV or JSON file")
    d.add_argument("file")
    d = debarred.add_parser("list", help="print the imported list")
    d.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_debarred)
    p = sub.add_parser("segment", help="segment stdin lines into space-separated words")
    p.set_defaults(func=cmd_segment)
    return parser


_exit_code = 1  # the process's exit status should a command end in an uncaught exception
_owns_process = False  # main() was called as the program, not from other Python code


def _exit_without_teardown() -> None:
    """Registered first, so run last at exit: by then Prefect has drained its event and log
    workers into the API, this command's ephemeral server has stopped and the index, ledger and
    workers are closed. After a command that imported Prefect, the interpreter would next
    free its thousands of modules one by one (0.3-0.5 s, nothing left to write): skip that."""
    if "prefect" not in sys.modules:
        return
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(_exit_code)


def main(argv: list[str] | None = None) -> int:
    global _exit_code, _owns_process
    args = build_parser().parse_args(argv)
    if argv is None:  # the command owns this process (not called from other Python code)
        _owns_process = True
        import atexit

        atexit.register(_exit_without_teardown)
    from config import get_settings

    logging.basicConfig(level=get_settings().log_level.upper(),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for noisy in ("httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    try:
        _exit_code = code = args.func(args)
        return code
    except KeyboardInterrupt:
        _exit_code = 130
        return 130
    except SystemExit as exc:
        _exit_code = exc.code if isinstance(exc.code, int) else int(exc.code is not None)
        raise
    except Exception as exc:  # noqa: BLE001 - the CLI reports, never dumps a traceback on users
        from search_index.protocol import SearchError

        if isinstance(exc, (SearchError, FileNotFoundError, ValueError)):
            print(f"error: {exc}", file=sys.stderr)
            _exit_code = 1
            return 1
        raise


if __name__ == "__main__":
    sys.exit(main())
