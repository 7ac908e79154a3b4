from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
import report_marts

from careatlas.report import sections
from careatlas.report.provenance import DbtNode, NppesInput, Provenance


class _Cells(HTMLParser):
    """Rows of <td> text (and their data-col) of one table."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[dict[str, str]] = []
        self._col: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "tr" and "data-fips" in attrs:
            self.rows.append({"fips": attrs["data-fips"]})
        elif tag == "td" and self.rows:
            self._col = attrs.get("data-col")
            self.rows[-1][self._col] = ""

    def handle_endtag(self, tag):
        if tag == "td":
            self._col = None

    def handle_data(self, data):
        if self._col:
            self.rows[-1][self._col] += data


@pytest.mark.parametrize(
    ("formatter", "value", "text"),
    [
        (sections.fmt_count, 1234567.4, "1,234,567"),
        (sections.fmt_count, 2.5, "2"),  # banker's rounding of format(): stated, not hidden
        (sections.fmt_count, None, "—"),
        (sections.fmt_decimal, 82.04, "82.0"),
        (sections.fmt_decimal, 1234.56, "1,234.6"),
        (sections.fmt_pct, 5.55, "5.5%"),
        (sections.fmt_pct, 12.0, "12.0%"),
        (sections.fmt_pct, None, "—"),
    ],
)
def test_formatters(formatter, value, text) -> None:
    assert formatter(value) == text


def test_headline_numbers_come_from_the_county_mart() -> None:
    numbers = {key: value for key, (_label, value) in sections.headline(report_marts.county_access()).items()}

    assert numbers == {
        "counties": 7,
        "population": sum(c[3] for c in report_marts.COUNTIES),
        "providers": sum(c[4] * 3 + 1.5 for c in report_marts.COUNTIES),
        "pc_shortage_counties": 4,
        "pc_shortage_population": 6_000 + 60 + 18_000 + 9_800_000,
        "no_pcp_counties": 2,
    }


def test_kpis_render_each_number() -> None:
    html = sections.kpis_html(report_marts.county_access())
    assert re.search(r'data-kpi="counties"><span class="value">7</span>', html)
    assert re.search(r'data-kpi="population"><span class="value">12,562,060</span>', html)


def test_underserved_table_lists_the_top_counties_in_rank_order() -> None:
    frame = report_marts.underserved()
    parser = _Cells()
    parser.feed(sections.underserved_html(frame, top=3))

    assert [row["fips"] for row in parser.rows] == frame.sort("underserved_rank")["county_fips"].head(3).to_list()
    first = parser.rows[0]
    source = frame.filter(frame["county_fips"] == first["fips"]).row(0, named=True)
    assert first["underserved_rank"] == "1"
    assert first["county_name"] == source["county_name"]
    assert first["underserved_score"] == f"{source['underserved_score']:.1f}"
    assert first["total_population"] == f"{source['total_population']:,.0f}"
    assert first["people_per_primary_care_provider"] == "—"  # no provider: no ratio
    assert first["uninsured_rate_pct"] == "5.5%"
    assert first["population_65_plus_pct"] == "—"
    assert first["screens"].split() == ["PC", "D", "MH"]


def test_table_text_is_escaped() -> None:
    html = sections.underserved_html(report_marts.underserved(), top=25)
    assert "Los Angeles County, &lt;California&gt;" in html
    assert "<California>" not in html


def _provenance(**changes) -> Provenance:
    values = dict(
        run_id="run-1", built_at="2025-01-13T10:00:00+00:00", acs_year=2023,
        nppes=[NppesInput("npidata", "2025-01-12", "v1", 9_400_000, 9_400_010, 10, "npidata_pfile.csv")],
        references=[("NUCC taxonomy", "reference/nucc/x.parquet"), ("NPPES deactivation report", None)],
        mart_rows={"fct_county_access": 3222}, tests={"pass": 120, "warn": 2}, warnings=["a_warned_test"],
        not_passed=[DbtNode("a_warned_test", "warn", 3, "Got 3 results")],
        dbt={"dbt_version": "1.11.16", "nodes": 150, "elapsed_s": 42.25, "generated_at": "2025-01-13"},
        run={"status": "succeeded", "raw_key": "raw/nppes/x.zip", "raw_sha256": "ab" * 32},
    )
    return Provenance(**(values | changes))


def test_provenance_shows_releases_counts_and_tests() -> None:
    html = sections.provenance_html(_provenance(), lineage=sections.Markup('<a href="docs/index.html">docs</a>'))

    assert "9,400,010" in html and "9,400,000" in html and ">10<" in html
    assert '<span data-status="pass">120 pass</span>, <span data-status="warn">2 warn</span>' in html
    assert "<th>ACS 5-year vintage</th><td>2023</td>" in html
    assert "<th>NPPES deactivation report</th>" not in html  # unknown facts are left out
    assert '<a href="docs/index.html">docs</a>' in html
    assert "dbt 1.11.16: 150 nodes in 42.2 s" in html
    assert "Got 3 results" in html and "<th>Raw file sha256</th>" in html


def test_provenance_escapes_plain_lineage_text_and_says_when_nothing_was_recorded() -> None:
    html = sections.provenance_html(_provenance(tests={}, run=None, not_passed=[], warnings=[], dbt={}),
                                    lineage="dbt docs not generated: <busy>")
    assert "dbt docs not generated: &lt;busy&gt;" in html
    assert "no test results recorded" in html
    assert "Run status" not in html


def test_provenance_names_the_product_of_each_demographic_measure() -> None:
    sources = [("total population", "Census PEP Vintage 2024 (July 1, 2024)"), ("uninsured rate", "not available")]
    html = sections.provenance_html(_provenance(acs_year=None, demographics=sources), lineage="-")
    assert "<td>total population</td><td>Census PEP Vintage 2024 (July 1, 2024)</td>" in html
    assert "<td>uninsured rate</td><td>not available</td>" in html
    assert "ACS 5-year vintage" not in html  # offline: no ACS vintage to name
