"""Regenerate docs/screenshots/*.png (make screenshots): the search, document, case and contractor
pages at desktop and phone width, served from the sample corpus in Debian's chromium."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


def main() -> int:
    from cli.sample_corpus import generate
    from tests.web import harness

    out = ROOT / "docs" / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="archive-screenshots-") as tmp:
        corpus = Path(tmp) / "corpus"
        generate(corpus, integrity_cases=True)
        settings = harness.build_archive(corpus, Path(tmp) / "var")
        from search_index.debarment import DebarredList, read_list
        from search_index.integrity import debarred_path

        DebarredList(debarred_path(settings.data_dir)).replace_all(
            read_list(ROOT / "config" / "debarred.example.csv"))
        with harness.served(settings) as base, harness.browser() as chromium:
            for name, viewport in VIEWPORTS.items():
                context = chromium.new_context(base_url=base, viewport=viewport,
                                               device_scale_factor=1,
                                               is_mobile=name == "phone")
                page = context.new_page()
                page.goto('/?q=評選委員會 決議')
                page.screenshot(path=out / f"search-{name}.png", full_page=False)
                page.goto('/?q="第3季辦理進度"')
                page.locator(".hit-title").first.click()
                page.wait_for_load_state("networkidle")
                page.screenshot(path=out / f"document-{name}.png", full_page=False)
                page.goto("/cases/113K101-01")  # a case with integrity signals
                page.wait_for_selector("#stage-chart[data-drawn=true]")
                page.screenshot(path=out / f"case-{name}.png", full_page=False)
                page.locator(".meta-list a[href^='/contractors/']").first.click()
                page.wait_for_selector("#won-chart[data-drawn=true]")
                page.screenshot(path=out / f"contractor-{name}.png", full_page=False)
                context.close()
    for png in sorted(out.glob("*.png")):
        print(f"{png.relative_to(ROOT)}  {png.stat().st_size // 1024} KiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
