"""The crawl's item (newsbot.crawled.CrawledPage): what it carries reaches the pipelines by name, and exports
see only the record's fields."""

from __future__ import annotations

import io
import json

from itemadapter import ItemAdapter
from scrapy.exporters import JsonLinesItemExporter

import newsbot.crawled_adapter  # noqa: F401  (registers the adapter under test)
from newsbot import dedup
from newsbot.crawled import CrawledPage, record_of
from newsbot.record import ArticleRecord, RawPage
from newsbot.store import open_store
from newsbot.store.warc import decode_raw, encode_raw
from pipelines.run import build

BODY = " ".join(f"كلمة{i} في خبر طويل عن الاقتصاد" for i in range(40))


def _page(url: str = "https://news.example/2026/01/02/story.html") -> CrawledPage:
    record = ArticleRecord(url=url, site="news.example", title="عنوان الخبر", body=BODY, lang="ar",
                           confidence=0.9).finalise()
    raw = RawPage(url=url, body=b"<html><body><p>page</p></body></html>", headers={"Content-Type": "text/html"},
                  fetched_at="2026-01-02T10:00:00+00:00")
    return CrawledPage(record, raw=raw, packed=encode_raw(raw), signed_ahead=dedup.signed_ahead(
        record.content_hash, record.body))


def test_adapter_and_exporter_see_the_record_fields_only():
    page = _page()
    adapter = ItemAdapter(page)
    assert list(adapter.keys()) == ArticleRecord.field_names()
    assert adapter["title"] == "عنوان الخبر" and adapter.get("kind") == "article"
    assert "raw" not in adapter and "packed" not in adapter and "signature" not in adapter
    adapter["section"] = "اقتصاد"
    assert page.record.section == "اقتصاد"
    # no FEED_EXPORT_FIELDS given: the exporter asks the adapter which fields there are
    out = io.BytesIO()
    exporter = JsonLinesItemExporter(out)
    exporter.start_exporting()
    exporter.export_item(page)
    exporter.finish_exporting()
    row = json.loads(out.getvalue().decode("utf-8"))
    assert list(row) == ArticleRecord.field_names()
    assert row == json.loads(page.record.to_json())
    assert record_of(page) is page.record and record_of({"url": "x"}) is None


def test_the_pipelines_read_what_the_item_carries(tmp_path):
    page = _page()
    with open_store(str(tmp_path / "s.db")) as db:
        chain = build(db)
        for pipe in chain:
            if hasattr(pipe, "open_spider"):
                pipe.open_spider()
        item = page
        for pipe in chain:
            item = pipe.process_item(item)
        for pipe in reversed(chain):
            if hasattr(pipe, "close_spider"):
                pipe.close_spider()
        assert item is page  # a crawled page stays one through the chain (the exporter reads it after)
        # the dedup pipeline reused the signature made ahead (the body did not change in normalisation)
        assert page.signature == page.signed_ahead[1] == dedup.signature(page.record.body)
        found = db.raw_page(db.raw_ids()[0])
        assert found is not None
        assert found[2].body == decode_raw(page.packed).body == page.raw.body
    assert page.raw.packed is None  # the item's raw page is left as fetched; the store got the packed one


def test_a_changed_body_is_signed_again():
    page = _page()
    page.record.body += "\n\nفقرة أخرى"
    page.record.finalise()
    assert dedup.signature_for(page.record, page.signed_ahead) == dedup.signature(page.record.body)
    assert dedup.signature_for(page.record, page.signed_ahead) != page.signed_ahead[1]
