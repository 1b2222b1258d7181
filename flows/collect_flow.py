"""The ``collect-source`` flow: bring one configured source up to date — crawl a website or
import OCDS into its mirror folder, then ingest the folder — and publish a Markdown artifact of
new, changed, removed and failed documents."""

from __future__ import annotations

from pathlib import Path

from flows.prefect_env import apply_offline_defaults

apply_offline_defaults()

from prefect import flow, get_run_logger, tags, task  # noqa: E402
from prefect.artifacts import create_markdown_artifact  # noqa: E402
from prefect.cache_policies import NO_CACHE  # noqa: E402

from config import get_settings  # noqa: E402
from config.sources import FolderSource, OcdsSource, WebsiteSource, load_sources  # noqa: E402
from flows.ingest_flow import ingest_documents  # noqa: E402
from search_index.ledger import Ledger  # noqa: E402


@task(name="crawl-website", cache_policy=NO_CACHE, retries=1, retry_delay_seconds=30)
def crawl_task(source: WebsiteSource, root: str) -> dict:
    from collectors.website_crawler import crawl_into

    return crawl_into(source, Path(root)).as_dict()


@task(name="import-ocds", cache_policy=NO_CACHE, retries=1, retry_delay_seconds=30)
def ocds_task(source: OcdsSource, root: str, sources_base: str) -> dict:
    from collectors.ocds_import import import_packages

    return import_packages(source, Path(root), base=Path(sources_base)).as_dict()


def _markdown(name: str, fetch: dict, ingest: dict) -> str:
    lines = [f"# Collect `{name}`", ""]
    if fetch:
        lines += ["| fetched | not modified | new | changed | removed | fetch failures |",
                  "|---|---|---|---|---|---|",
                  f"| {fetch.get('fetched', 0)} | {fetch.get('not_modified', 0)} | "
                  f"{len(fetch.get('new', []))} | {len(fetch.get('changed', []))} | "
                  f"{len(fetch.get('removed', []))} | {len(fetch.get('failed', []))} |", ""]
        for label in ("new", "changed", "removed"):
            lines += [f"- {label}: {url}" for url in fetch.get(label, [])]
        lines += [f"- failed: {f['url']} — {f['reason']}" for f in fetch.get("failed", [])]
        lines.append("")
    lines += ["| indexed | skipped | failed | removed |", "|---|---|---|---|",
              f"| {ingest['indexed']} | {ingest['skipped']} | {ingest['failed']} | "
              f"{ingest['removed']} |"]
    lines += [f"- failed: {f['file']} [{f['kind']}] {f['reason']}" for f in ingest["failures"]]
    return "\n".join(lines)


def host_tags(source: WebsiteSource) -> list[str]:
    """Task tags carrying the per-host concurrency limit (created by `integrity-archive schedule`)."""
    return [f"host:{host}" for host in source.allowed_hosts]


@flow(name="collect-source", retries=1, retry_delay_seconds=60)
def collect_source(name: str, sources_file: str | None = None) -> dict:
    """Collect and ingest one source from the sources file; returns fetch and ingest summaries."""
    logger = get_run_logger()
    settings = get_settings()
    path = Path(sources_file or settings.sources_file)
    source = load_sources(path).get(name)
    root = settings.sources_dir / source.name
    fetch: dict = {}
    if isinstance(source, FolderSource):
        folder = source.path
    elif isinstance(source, WebsiteSource):
        with tags(*host_tags(source)):
            fetch = crawl_task(source, str(root))
        folder = root / "current"
        logger.info("%s: fetched %d, not modified %d; new %d, changed %d, removed %d, failed %d",
                    name, fetch["fetched"], fetch["not_modified"], len(fetch["new"]),
                    len(fetch["changed"]), len(fetch["removed"]), len(fetch["failed"]))
    else:
        fetch = ocds_task(source, str(root), str(path.resolve().parent))
        folder = root / "current"
    folder.mkdir(parents=True, exist_ok=True)
    if fetch:
        with Ledger(settings.ledger_path) as ledger:
            ledger.replace_fetch_failures(f"{source.kind}:{source.name}",
                                          [(f["url"], f["reason"]) for f in fetch["failed"]])
    ingest = ingest_documents(str(folder))
    create_markdown_artifact(key=f"collect-{source.name}", markdown=_markdown(name, fetch, ingest),
                             description=f"Collect {name}")
    return {"source": name, "fetch": fetch, "ingest": ingest}


def schedule_sources(sources_file: str, only: list[str] | None = None) -> None:
    """Serve one deployment per scheduled source on the Prefect server at PREFECT_API_URL
    (blocks; Ctrl-C stops). Each website host gets a concurrency limit of one crawl at a time."""
    import asyncio

    from prefect import serve
    from prefect.client.orchestration import get_client

    sources = load_sources(Path(sources_file))
    chosen = [s for s in sources.sources if (not only or s.name in only)
              and (s.schedule or s.interval_seconds)]
    if not chosen:
        raise ValueError("no source with a schedule or interval_seconds to serve")

    async def limits() -> None:
        async with get_client() as client:
            for source in chosen:
                if isinstance(source, WebsiteSource):
                    for tag in host_tags(source):
                        await client.create_concurrency_limit(tag=tag, concurrency_limit=1)

    asyncio.run(limits())
    deployments = [
        collect_source.to_deployment(
            name=f"collect-{source.name}",
            parameters={"name": source.name, "sources_file": str(Path(sources_file).resolve())},
            cron=source.schedule, interval=source.interval_seconds,
            description=f"Collect and ingest {source.kind} source {source.name}")
        for source in chosen]
    serve(*deployments, print_starting_message=True)
