#include "reports/matrix.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "reports/escape.hpp"
#include "reports/grouping.hpp"
#include "reports/html.hpp"
#include "reports/terminal.hpp"

namespace ftpspec::reports {

namespace {

/// One row: a case id and, per column, that run's result for it (nullptr when the run lacks it).
struct Row {
  const run::CaseResult* first = nullptr;  ///< title, RFC and level come from the first run that has the case
  std::vector<const run::CaseResult*> cells;
};

struct RowGroup {
  std::string rfc;
  std::vector<Row> rows;
};

std::vector<RowGroup> build_rows(const std::vector<MatrixColumn>& columns) {
  std::vector<std::string> order;
  std::map<std::string, Row> rows;
  for (std::size_t column = 0; column < columns.size(); ++column) {
    for (const auto& c : columns[column].result.cases) {
      auto [it, inserted] = rows.try_emplace(c.id);
      if (inserted) {
        order.push_back(c.id);
        it->second.first = &c;
        it->second.cells.assign(columns.size(), nullptr);
      }
      it->second.cells[column] = &c;
    }
  }
  std::vector<RowGroup> groups;
  for (const auto& id : order) {
    Row& row = rows.at(id);
    const std::string rfc = row.first->rfc_number();
    auto group = std::find_if(groups.begin(), groups.end(), [&](const RowGroup& g) { return g.rfc == rfc; });
    if (group == groups.end()) group = groups.insert(groups.end(), RowGroup{rfc, {}});
    group->rows.push_back(std::move(row));
  }
  std::stable_sort(groups.begin(), groups.end(), [](const RowGroup& a, const RowGroup& b) { return natural_less(a.rfc, b.rfc); });
  return groups;
}

bool verdicts_differ(const Row& row) {
  const run::CaseResult* first = row.cells.front();
  for (const auto* cell : row.cells)
    if (!cell || !first || cell->verdict != first->verdict) return true;
  return false;
}

/// The reason and the reply behind a verdict, for a tooltip or a footnote.
std::string explanation(const run::CaseResult& c) {
  std::string text = c.reason;
  if (const run::StepResult* step = c.deciding_step(); step && !step->actual.empty())
    text += (text.empty() ? "" : "\n") + fmt::format("got: {}\nexpected: {}", step->actual, step->expected);
  return text.empty() ? std::string(run::to_string(c.verdict)) : text;
}

/// "9 findings, 4 at MUST level; 206 pass, 9 fail, ...": the findings first, as in every report.
std::string summary_text(const run::RunResult& result) {
  std::string text;
  for (run::Verdict verdict : kVerdictOrder)
    if (int n = result.count(verdict); n > 0) text += fmt::format("{}{} {}", text.empty() ? "" : ", ", n, run::to_string(verdict));
  return findings_headline(result) + "; " + (text.empty() ? "no cases" : text);
}

constexpr std::string_view kMatrixCss = R"(
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:16px;color:#1f2328}
h1{font-size:22px}table{border-collapse:collapse}td,th{border:1px solid #d0d7de;padding:3px 8px;text-align:left}
th{background:#f6f8fa;position:sticky;top:0}tr.group th{background:#eaeef2;position:static}
td.cell{text-align:center;cursor:help;min-width:7em}code{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px}
.level{color:#57606a;font-size:90%}
)";

constexpr std::string_view kMatrixScript = R"(
(function () {
  'use strict';
  var box = document.getElementById('differences-only');
  var rows = Array.prototype.slice.call(document.querySelectorAll('tr.case-row'));
  function apply() {
    rows.forEach(function (r) { r.hidden = box.checked && r.dataset.differs !== 'yes'; });
  }
  box.addEventListener('change', apply);
  apply();
})();
)";

}  // namespace

void write_matrix_html(const std::vector<MatrixColumn>& columns, std::ostream& out) {
  const std::vector<RowGroup> groups = build_rows(columns);
  std::string page = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                     "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
                     "script-src 'unsafe-inline'\">\n<title>ftpspec comparison</title>\n<style>";
  page += verdict_css();
  page += kMatrixCss;
  page += "</style>\n</head>\n<body>\n<h1>ftpspec comparison</h1>\n";
  page += "<p><label><input type=\"checkbox\" id=\"differences-only\"> only cases where the servers differ</label></p>\n";
  page += "<table id=\"matrix\">\n<tr><th>case</th><th>level</th>";
  for (const auto& column : columns) {
    const std::string about = fmt::format("{}\n{}\nstarted {}", column.result.target,
                                          column.result.greeting.empty() ? "" : column.result.greeting.front(),
                                          column.result.started_at);
    page += fmt::format("<th title=\"{}\">{}</th>", html_escape(about), html_escape(column.label));
  }
  page += "</tr>\n<tr><th>summary</th><th></th>";
  for (const auto& column : columns) page += fmt::format("<td>{}</td>", html_escape(summary_text(column.result)));
  page += "</tr>\n";
  const std::size_t width = columns.size() + 2;
  for (const auto& group : groups) {
    page += fmt::format("<tr class=\"group\"><th colspan=\"{}\">RFC {}</th></tr>\n", width, html_escape(group.rfc));
    for (const auto& row : group.rows) {
      const run::CaseResult& c = *row.first;
      std::string rfc;
      for (const auto& citation : c.rfc) rfc += (rfc.empty() ? "RFC " : ", RFC ") + citation;
      page += fmt::format("<tr class=\"case-row\" data-differs=\"{}\"><td title=\"{}\"><code>{}</code> {}</td><td class=\"level\">{}</td>",
                          verdicts_differ(row) ? "yes" : "no", html_escape(rfc), html_escape(c.id), html_escape(c.title),
                          scenario::to_string(c.level));
      for (const auto* cell : row.cells) {
        if (!cell) {
          page += "<td class=\"cell v-absent\" title=\"not run against this server\">\u2014</td>";
          continue;
        }
        page += fmt::format("<td class=\"cell v-{0}\" title=\"{1}\">{0}</td>", run::to_string(cell->verdict),
                            html_escape(explanation(*cell)));
      }
      page += "</tr>\n";
    }
  }
  page += "</table>\n<script>";
  page += kMatrixScript;
  page += "</script>\n</body>\n</html>\n";
  out << page;
}

void write_matrix_markdown(const std::vector<MatrixColumn>& columns, std::ostream& out) {
  const std::vector<RowGroup> groups = build_rows(columns);
  std::string header = "| case | level |", rule = "|---|---|";
  for (const auto& column : columns) {
    header += " " + markdown_cell(column.label) + " |";
    rule += "---|";
  }
  std::string text = "# ftpspec comparison\n\n" + header + "\n" + rule + "\n| **summary** | |";
  for (const auto& column : columns) text += " " + markdown_cell(summary_text(column.result)) + " |";
  text += "\n";
  for (const auto& group : groups) {
    text += fmt::format("\n## RFC {}\n\n{}\n{}\n", markdown_cell(group.rfc), header, rule);
    for (const auto& row : group.rows) {
      text += fmt::format("| {} {} | {} |", markdown_cell(row.first->id), markdown_cell(row.first->title),
                          scenario::to_string(row.first->level));
      for (const auto* cell : row.cells) {
        if (!cell) {
          text += " \u2014 |";
          continue;
        }
        const auto verdict = run::to_string(cell->verdict);
        const bool finding = cell->verdict == run::Verdict::fail || cell->verdict == run::Verdict::error ||
                             cell->verdict == run::Verdict::blocked;
        text += finding ? fmt::format(" **{}**: {} |", verdict, markdown_cell(cell->reason)) : fmt::format(" {} |", verdict);
      }
      text += "\n";
    }
  }
  out << text;
}

}  // namespace ftpspec::reports
