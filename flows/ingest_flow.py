"""The ``ingest-documents`` flow: plan a folder against the ledger, process it in batches (one
Prefect task per batch), remove deleted files, and publish a Markdown summary artifact."""

from __future__ import annotations

from pathlib import Path

from flows.prefect_env import apply_offline_defaults

apply_offline_defaults()

from prefect import flow, get_run_logger, task  # noqa: E402
from prefect.artifacts import create_markdown_artifact  # noqa: E402
from prefect.cache_policies import NO_CACHE  # noqa: E402
from prefect.utilities.annotations import quote  # noqa: E402

from config import get_settings  # noqa: E402
from flows.session import prepare_session, take_session  # noqa: E402, F401 - prepare_session: API
from search_index.ingest_pipeline import (  # noqa: E402
    BatchResult,
    FileTask,
    IngestPlan,
    IngestSession,
    IngestSummary,
    doc_id_for,
)


@task(name="plan-ingest", cache_policy=NO_CACHE)
def plan_task(session: IngestSession, source: str, retry_failed: bool,
              only_failed: bool = False) -> IngestPlan:
    return session.plan(Path(source), retry_failed=retry_failed, only_failed=only_failed)


@task(name="process-batch", cache_policy=NO_CACHE, task_run_name="batch-{number}")
def process_batch(session: IngestSession, source: str, batch: list[FileTask],
                  next_batch: list[FileTask] | None, number: int) -> BatchResult:
    return session.process(source, batch, next_batch)


@task(name="alert-saved-searches", cache_policy=NO_CACHE)
def alert_task(session: IngestSession, indexed_ids: set[str]) -> int:
    return session.alert_saved_searches(indexed_ids)


@task(name="remove-deleted", cache_policy=NO_CACHE)
def finish_task(session: IngestSession, plan: IngestPlan) -> int:
    return session.finish(plan)


def mark_crashed_flow_runs(runs: list[dict], logger) -> int:  # noqa: ANN001
    """Set the Prefect flow runs of crashed ingest runs (their process died: kill -9, power
    loss) to Crashed, so none stays Running forever; returns how many were changed."""
    from uuid import UUID

    from prefect.client.orchestration import get_client
    from prefect.states import Crashed

    changed = 0
    ids = [r["flow_run_id"] for r in runs if r.get("flow_run_id")]
    if not ids:
        return 0
    with get_client(sync_client=True) as client:
        for flow_run_id in ids:
            try:
                run = client.read_flow_run(UUID(flow_run_id))
                if run.state is not None and run.state.is_final():
                    continue
                client.set_flow_run_state(run.id, Crashed(
                    message="the ingest process died before the run finished (found by the "
                            "next run)"), force=True)
                changed += 1
            except Exception as exc:  # noqa: BLE001 - never let the clean-up stop this run
                logger.warning("could not mark flow run %s crashed: %s", flow_run_id, exc)
    return changed


def _current_flow_run_id() -> str | None:
    from prefect.runtime import flow_run

    value = flow_run.id
    return str(value) if value else None


def summary_markdown(summary: IngestSummary) -> str:
    lines = [f"# Ingest of `{summary.source}`", "",
             "| indexed | skipped (unchanged) | failed | removed |", "|---|---|---|---|",
             f"| {summary.indexed} | {summary.skipped} | {summary.failed} | {summary.removed} |"]
    if summary.failures:
        lines += ["", "## Failed files", "", "| file | kind | reason |", "|---|---|---|"]
        lines += [f"| {f.replace('|', '/')} | {k} | {r.replace('|', '/')} |"
                  for f, k, r in summary.failures]
    return "\n".join(lines)


@flow(name="ingest-documents", log_prints=False)
def ingest_documents(source: str, retry_failed: bool = False, only_failed: bool = False) -> dict:
    """Ingest every file under ``source``; returns the summary as a dict."""
    logger = get_run_logger()
    settings = get_settings()
    with take_session() as session:
        ledger = session.ledger
        crashed = ledger.reap_crashed_runs()
        if crashed:
            marked = mark_crashed_flow_runs(crashed, logger)
            logger.warning("%d earlier ingest runs had crashed (process gone); %d Prefect flow "
                           "runs marked Crashed", len(crashed), marked)
        plan = plan_task(session, source, retry_failed, only_failed)
        run_id = ledger.start_run(plan.source, flow_run_id=_current_flow_run_id())
        batches = plan.batches(settings.ingest.batch_size,
                               settings.ingest.batch_max_mb * 1024 * 1024)
        logger.info("%s: %d to process in %d batches, %d unchanged, %d still failing, %d removed",
                    plan.source, len(plan.tasks), len(batches), plan.unchanged, plan.still_failed,
                    len(plan.removed))
        summary = IngestSummary(source=plan.source, skipped=plan.unchanged + plan.still_failed)
        indexed: list[str] = []
        for number, batch in enumerate(batches, start=1):
            upcoming = batches[number] if number < len(batches) else None
            # quote(): Prefect would otherwise walk every file of both batches, looking for
            # upstream futures, in this process (whose time per file bounds the ingest)
            result = process_batch(session, plan.source, quote(batch), quote(upcoming), number)
            indexed.extend(result.indexed)
            summary.indexed += len(result.indexed)
            summary.failed += len(result.failed)
            summary.failures.extend(result.failed)
            logger.info("batch %d/%d: %d indexed, %d failed", number, len(batches),
                        len(result.indexed), len(result.failed))
            ledger.heartbeat(run_id)
            for relpath, kind, reason in result.failed:
                logger.warning("failed %s (%s): %s", relpath, kind, reason)
        summary.removed = finish_task(session, quote(plan))
        alerts = alert_task(session, quote({doc_id_for(plan.source, f) for f in indexed}))
        if alerts:
            logger.info("%d new matches for saved searches", alerts)
        ledger.finish_run(run_id, indexed=summary.indexed, skipped=summary.skipped,
                          failed=summary.failed, removed=summary.removed)
    create_markdown_artifact(markdown=summary_markdown(summary), key="ingest-summary",
                             description=f"Ingest of {plan.source}")
    return summary.as_dict()
