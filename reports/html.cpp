#include "reports/html.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <map>

#include "reports/escape.hpp"
#include "reports/grouping.hpp"
#include "reports/svg_sequence.hpp"
#include "reports/terminal.hpp"
#include "reports/transcript_lines.hpp"

namespace ftpspec::reports {

namespace {

constexpr std::string_view kVerdictCss = R"(
.v-pass{background:#dafbe1;color:#116329}.v-fail{background:#ffebe9;color:#a40e26;font-weight:bold}
.v-warn{background:#fff8c5;color:#7d4e00}.v-unsupported{background:#ddf4ff;color:#0550ae}
.v-skipped{background:#eaeef2;color:#57606a}.v-error{background:#fbefff;color:#8250df;font-weight:bold}
.v-blocked{background:#eef1ff;color:#3a3f99}
.v-absent{background:#fff;color:#8c959f}
.badge{display:inline-block;min-width:6.5em;text-align:center;border-radius:3px;padding:0 4px;font-size:90%}
)";

constexpr std::string_view kPageCss = R"(
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0 auto;max-width:1100px;padding:16px;color:#1f2328}
h1{font-size:22px;margin:0 0 8px}h2{font-size:17px;margin:20px 0 8px}h4{margin:12px 0 4px}
code,pre,.mono{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px}
dl.meta{display:grid;grid-template-columns:max-content 1fr;gap:2px 12px;margin:0}dl.meta dt{color:#57606a}dl.meta dd{margin:0}
table{border-collapse:collapse}td,th{border:1px solid #d0d7de;padding:3px 8px;text-align:left;vertical-align:top}
th{background:#f6f8fa}td.n{text-align:right}tr.section td:first-child{padding-left:22px;color:#57606a}
#filters{position:sticky;top:0;background:#fff;border-bottom:1px solid #d0d7de;padding:8px 0;z-index:1}
#filters label{margin-right:10px;white-space:nowrap}#filters select,#filters input[type=search]{margin-right:10px}
details.case{border:1px solid #d0d7de;border-radius:6px;margin:6px 0}
details.case>summary{cursor:pointer;padding:6px 8px;list-style-position:inside}
details.case[open]>summary{border-bottom:1px solid #d0d7de;background:#f6f8fa}
.case .body{padding:4px 12px 12px}.rfc,.level{color:#57606a;margin-left:8px}.reason{margin:6px 0}
pre.transcript{background:#f6f8fa;border:1px solid #d0d7de;padding:6px;overflow-x:auto;white-space:pre-wrap;word-break:break-all}
.t{display:block}.t .m{font-weight:bold;margin-right:6px}.t .ts{color:#8c959f;margin-right:6px}
.t.c{color:#1f5fbf}.t.s{color:#1a7f37}.t.dc{color:#8250df}.t.ds{color:#bc4c00}.t.ev{color:#6e7781;font-style:italic}
.svgwrap{overflow-x:auto}svg.sequence{max-width:100%;height:auto;background:#fff}
.legend span{margin-right:12px}
table.findings td{font-size:13px}table.findings td.cases a{margin-right:6px}p.headline{font-size:16px;font-weight:bold}
)";

constexpr std::string_view kScript = R"(
(function () {
  'use strict';
  var boxes = Array.prototype.slice.call(document.querySelectorAll('input.verdict-filter'));
  var rfc = document.getElementById('rfc-filter');
  var search = document.getElementById('search');
  var cases = Array.prototype.slice.call(document.querySelectorAll('details.case'));
  var shown = document.getElementById('shown-count');
  function apply() {
    var wanted = {};
    boxes.forEach(function (b) { if (b.checked) wanted[b.value] = true; });
    var query = search.value.trim().toLowerCase();
    var n = 0;
    cases.forEach(function (c) {
      var visible = !!wanted[c.dataset.verdict] && (!rfc.value || c.dataset.rfc === rfc.value) &&
                    (!query || c.dataset.search.indexOf(query) >= 0);
      c.hidden = !visible;
      if (visible) n++;
    });
    shown.textContent = n + ' of ' + cases.length + ' cases shown';
  }
  boxes.forEach(function (b) { b.addEventListener('change', apply); });
  rfc.addEventListener('change', apply);
  search.addEventListener('input', apply);
  document.getElementById('expand-all').addEventListener('click', function () {
    cases.forEach(function (c) { if (!c.hidden) c.open = true; });
  });
  document.getElementById('collapse-all').addEventListener('click', function () {
    cases.forEach(function (c) { c.open = false; });
  });
  apply();
})();
)";

/// Cut one very long transcript line (a data payload) so the page stays light; the JSON keeps it.
constexpr std::size_t kMaxTranscriptLine = 4096;

std::string lower_ascii(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

std::string join(const std::vector<std::string>& items, std::string_view separator) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : std::string(separator)) + item;
  return out;
}

std::string badge(run::Verdict verdict) {
  return fmt::format(R"(<span class="badge v-{0}">{0}</span>)", run::to_string(verdict));
}

void write_header(const run::RunResult& result, std::string& out) {
  out += fmt::format("<h1>ftpspec report: {}</h1>\n<dl class=\"meta\">\n", html_escape(result.target));
  const auto item = [&](std::string_view name, const std::string& value) {
    out += fmt::format("<dt>{}</dt><dd>{}</dd>\n", name, value);
  };
  item("target", "<code>" + html_escape(result.target) + "</code>");
  item("tool", "ftpspec " + html_escape(result.tool_version));
  item("started", html_escape(result.started_at) + " (UTC)");
  item("duration", fmt::format("{:.3f} s", static_cast<double>(result.duration.count()) / 1000.0));
  item("greeting", "<code>" + html_escape(join(result.greeting, "\n")) + "</code>");
  item("FEAT", result.features.empty() ? "<i>none</i>" : "<code>" + html_escape(join(result.features, ", ")) + "</code>");
  out += "</dl>\n";
}

void count_cells(const VerdictCounts& counts, std::string& out) {
  for (run::Verdict verdict : kVerdictOrder) {
    const int n = counts[verdict];
    if (n == 0) out += "<td class=\"n\"></td>";
    else out += fmt::format(R"(<td class="n v-{}">{}</td>)", run::to_string(verdict), n);
  }
}

void write_summary(const run::RunResult& result, const std::vector<RfcGroup>& groups, std::string& out) {
  out += "<h2>Summary</h2>\n<table id=\"summary\"><tr><th>RFC / section</th><th>cases</th>";
  for (run::Verdict verdict : kVerdictOrder) out += fmt::format("<th>{}</th>", run::to_string(verdict));
  out += "</tr>\n";
  VerdictCounts total;
  for (const auto& group : groups) {
    out += fmt::format("<tr class=\"rfc-row\"><td><b>RFC {}</b></td><td class=\"n\">{}</td>", html_escape(group.rfc),
                       group.cases.size());
    count_cells(group.counts, out);
    out += "</tr>\n";
    for (const auto& section : group.sections) {
      out += fmt::format("<tr class=\"section\"><td>{}</td><td class=\"n\">{}</td>",
                         section.section.empty() ? "(no section)" : html_escape(section.section), section.cases.size());
      count_cells(section.counts, out);
      out += "</tr>\n";
    }
    for (run::Verdict verdict : kVerdictOrder)
      for (int i = 0; i < group.counts[verdict]; ++i) total.add(verdict);
  }
  out += fmt::format("<tr><th>total</th><th class=\"n\">{}</th>", result.cases.size());
  count_cells(total, out);
  out += "</tr>\n</table>\n";
}

/// The headline: every distinct defect once, with its rule and links to each case it touched.
void write_findings(const run::RunResult& result, std::string& out) {
  out += fmt::format("<h2>Findings</h2>\n<p class=\"headline\" id=\"headline\">{}: {}</p>\n", html_escape(result.target),
                     html_escape(findings_headline(result)));
  if (result.findings.empty()) return;
  std::map<std::string, std::size_t> index;
  for (std::size_t i = 0; i < result.cases.size(); ++i) index[result.cases[i].id] = i;
  const auto links = [&](const std::vector<std::string>& ids) {
    std::string html;
    for (const auto& id : ids) html += fmt::format(R"(<a href="#case-{}">{}</a>)", index[id], html_escape(id));
    return html;
  };
  out += "<table class=\"findings\"><tr><th>finding</th><th>level</th><th>command</th><th>what the server did</th>"
         "<th>rule</th><th>fails</th><th>blocks</th></tr>\n";
  for (const run::Finding& f : result.findings)
    out += fmt::format("<tr id=\"finding-{0}\"><td>{0}</td><td>{1}</td><td class=\"mono\">{2}</td><td class=\"mono\">{3}</td>"
                       "<td>{4} <span class=\"rfc\">RFC {5}</span></td><td class=\"cases\">{6}</td><td class=\"cases\">{7}</td></tr>\n",
                       html_escape(f.id), scenario::to_string(f.level), html_escape(f.command), html_escape(f.observed),
                       html_escape(f.rule), html_escape(f.rfc), links(f.failed), links(f.blocked));
  out += "</table>\n";
}

void write_filters(const run::RunResult& result, const std::vector<RfcGroup>& groups, std::string& out) {
  out += "<div id=\"filters\">\n";
  for (run::Verdict verdict : kVerdictOrder) {
    const auto name = run::to_string(verdict);
    out += fmt::format(R"(<label><input type="checkbox" class="verdict-filter" value="{0}" checked> {1} ({2})</label>)",
                       name, badge(verdict), result.count(verdict));
  }
  out += "\n<select id=\"rfc-filter\" aria-label=\"RFC\"><option value=\"\">all RFCs</option>";
  for (const auto& group : groups)
    out += fmt::format(R"(<option value="{0}">RFC {0} ({1})</option>)", html_escape(group.rfc), group.cases.size());
  out += "</select>\n<input type=\"search\" id=\"search\" placeholder=\"case id or title\" aria-label=\"search\">\n"
         "<button type=\"button\" id=\"expand-all\">expand all</button> "
         "<button type=\"button\" id=\"collapse-all\">collapse all</button>\n"
         "<span id=\"shown-count\"></span>\n</div>\n";
}

void write_steps(const run::CaseResult& c, std::string& out) {
  if (c.steps.empty()) return;
  out += "<h4>Steps</h4>\n<table class=\"steps\"><tr><th>line</th><th>step</th><th>verdict</th><th>expected</th>"
         "<th>actual</th><th>reason</th></tr>\n";
  for (const auto& step : c.steps)
    out += fmt::format("<tr><td class=\"mono\">{}</td><td class=\"mono\">{}</td><td>{}</td><td class=\"mono\">{}</td>"
                       "<td class=\"mono\">{}</td><td>{}</td></tr>\n",
                       step.loc.line, html_escape(step.source), badge(step.verdict), html_escape(step.expected),
                       html_escape(step.actual), html_escape(step.reason));
  out += "</table>\n";
}

void write_transcript(const std::vector<TranscriptLine>& lines, std::string& out) {
  out += "<h4>Transcript</h4>\n<pre class=\"transcript\">";
  for (const auto& line : lines) {
    std::string text = line.text;
    if (text.size() > kMaxTranscriptLine)
      text = text.substr(0, kMaxTranscriptLine) + fmt::format(" \u2026 ({} more characters)", text.size() - kMaxTranscriptLine);
    if (line.kind == LineKind::other) {
      out += fmt::format("<span class=\"t other\">{}</span>", html_escape(text));
      continue;
    }
    out += fmt::format(R"(<span class="t {}"><span class="ts">+{}.{:06}</span><span class="m">{}</span>{}</span>)",
                       css_class(line.kind), line.micros / 1'000'000, line.micros % 1'000'000, html_escape(marker(line.kind)),
                       html_escape(text));
  }
  out += "</pre>\n";
}

void write_case(const run::CaseResult& c, std::size_t index, std::string& out) {
  const auto verdict = run::to_string(c.verdict);
  const bool open = c.verdict == run::Verdict::fail || c.verdict == run::Verdict::error || c.verdict == run::Verdict::blocked;
  std::string rfc;
  for (const auto& citation : c.rfc) rfc += (rfc.empty() ? "RFC " : ", RFC ") + citation;
  out += fmt::format(R"(<details class="case" id="case-{}" data-verdict="{}" data-rfc="{}" data-search="{}"{}>)", index,
                     verdict, html_escape(c.rfc_number()), html_escape(lower_ascii(c.id + " " + c.title)),
                     open ? " open" : "");
  const std::string finding = c.finding.empty() ? std::string{}
                                                : fmt::format(R"( <a class="rfc" href="#finding-{0}">{0}</a>)", html_escape(c.finding));
  out += fmt::format("<summary>{} <code>{}</code> {} <span class=\"rfc\">{}</span><span class=\"level\">{}</span>{}</summary>\n",
                     badge(c.verdict), html_escape(c.id), html_escape(c.title), html_escape(rfc),
                     scenario::to_string(c.level), finding);
  out += "<div class=\"body\">\n";
  out += fmt::format("<div class=\"mono\">{}:{} &middot; {} ms</div>\n", html_escape(c.loc.file), c.loc.line,
                     c.duration.count());
  if (!c.reason.empty()) out += fmt::format("<p class=\"reason\">{}</p>\n", html_escape(c.reason));
  if (const run::StepResult* step = c.deciding_step(); step && !step->actual.empty())
    out += fmt::format("<p class=\"reason\">got <code>{}</code>, expected <code>{}</code></p>\n", html_escape(step->actual),
                       html_escape(step->expected));
  write_steps(c, out);
  const std::vector<TranscriptLine> lines = parse_transcript(c.transcript);
  if (!lines.empty()) {
    out += "<h4>Sequence</h4>\n<div class=\"svgwrap\">" + sequence_svg(lines) + "</div>\n";
    write_transcript(lines, out);
  }
  out += "</div></details>\n";
}

}  // namespace

std::string_view verdict_css() noexcept { return kVerdictCss; }

void write_html(const run::RunResult& result, std::ostream& out) {
  const std::vector<RfcGroup> groups = group_by_rfc(result.cases);
  std::string page = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                     "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  // No network: a Content-Security-Policy that forbids every fetch except inline style and script.
  page += "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
          "script-src 'unsafe-inline'; img-src data:\">\n";
  page += fmt::format("<title>ftpspec report: {}</title>\n<style>", html_escape(result.target));
  page += kVerdictCss;
  page += kPageCss;
  page += "</style>\n</head>\n<body>\n";
  write_header(result, page);
  write_findings(result, page);
  write_summary(result, groups, page);
  if (!result.left_behind.empty()) {
    page += "<h2>Left on the server</h2>\n<p>The cleanup could not remove these paths:</p>\n<ul>";
    for (const auto& path : result.left_behind) page += "<li><code>" + html_escape(path) + "</code></li>";
    page += "</ul>\n";
  }
  if (!result.jobs_lowered_because.empty())
    page += fmt::format("<p>Sessions at a time: {} at the start, {} at the end; lowered when {}.</p>\n", result.jobs,
                        result.jobs_at_end, html_escape(result.jobs_lowered_because));
  page += "<h2>Cases</h2>\n";
  write_filters(result, groups, page);
  page += "<p class=\"legend mono\"><span class=\"t c\" style=\"display:inline\">C&gt; client command</span>"
          "<span class=\"t s\" style=\"display:inline\">S&gt; server reply</span>"
          "<span class=\"t dc\" style=\"display:inline\">D&gt; data sent</span>"
          "<span class=\"t ds\" style=\"display:inline\">D&lt; data received</span>"
          "<span class=\"t ev\" style=\"display:inline\">** connection event</span></p>\n";
  page += "<div id=\"cases\">\n";
  for (std::size_t i = 0; i < result.cases.size(); ++i) write_case(result.cases[i], i, page);
  page += "</div>\n";
  if (!result.server_output.empty())
    page += "<h2>Server output</h2>\n<pre class=\"transcript\">" + html_escape(result.server_output) + "</pre>\n";
  page += "<script>";
  page += kScript;
  page += "</script>\n</body>\n</html>\n";
  out << page;
}

}  // namespace ftpspec::reports
