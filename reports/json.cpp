// No JSON library is in Debian's Boost 1.74 (no Boost.JSON) or the project's dependency list, and
// writing is all that is needed: a small value tree whose objects are std::map gives sorted keys.
#include "reports/json.hpp"

#include <fmt/format.h>

#include <map>
#include <memory>
#include <variant>
#include <vector>

#include "reports/escape.hpp"

namespace ftpspec::reports {

namespace {

struct Value;
using Object = std::map<std::string, Value>;
using Array = std::vector<Value>;

struct Value {
  std::variant<std::nullptr_t, bool, long long, std::string, Array, Object> data;
  Value() : data(nullptr) {}
  Value(const char* s) : data(std::string(s)) {}
  Value(std::string s) : data(std::move(s)) {}
  Value(std::string_view s) : data(std::string(s)) {}
  Value(long long n) : data(n) {}
  Value(int n) : data(static_cast<long long>(n)) {}
  Value(Array a) : data(std::move(a)) {}
  Value(Object o) : data(std::move(o)) {}
};

void write(const Value& value, std::string& out, int depth) {
  const std::string indent(static_cast<std::size_t>(depth + 1) * 2, ' ');
  const std::string close_indent(static_cast<std::size_t>(depth) * 2, ' ');
  std::visit(
      [&](const auto& v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::nullptr_t>) out += "null";
        else if constexpr (std::is_same_v<T, bool>) out += v ? "true" : "false";
        else if constexpr (std::is_same_v<T, long long>) out += std::to_string(v);
        else if constexpr (std::is_same_v<T, std::string>) out += json_quote(v);
        else if constexpr (std::is_same_v<T, Array>) {
          if (v.empty()) return void(out += "[]");
          out += "[\n";
          for (std::size_t i = 0; i < v.size(); ++i) {
            out += indent;
            write(v[i], out, depth + 1);
            out += i + 1 < v.size() ? ",\n" : "\n";
          }
          out += close_indent + "]";
        } else {
          if (v.empty()) return void(out += "{}");
          out += "{\n";
          std::size_t i = 0;
          for (const auto& [key, item] : v) {
            out += indent + json_quote(key) + ": ";
            write(item, out, depth + 1);
            out += ++i < v.size() ? ",\n" : "\n";
          }
          out += close_indent + "}";
        }
      },
      value.data);
}

Array strings(const std::vector<std::string>& items) { return Array(items.begin(), items.end()); }

Value location(const scenario::SourceLoc& loc) {
  return Object{{"file", loc.file}, {"line", loc.line}, {"column", loc.column}};
}

Value step_value(const run::StepResult& step) {
  return Object{{"location", location(step.loc)},
                {"source", step.source},
                {"verdict", run::to_string(step.verdict)},
                {"expected", step.expected},
                {"actual", step.actual},
                {"reason", step.reason},
                {"transcript", step.transcript}};
}

Value case_value(const run::CaseResult& c) {
  Array steps;
  for (const auto& step : c.steps) steps.push_back(step_value(step));
  return Object{{"id", c.id},
                {"title", c.title},
                {"rfc", strings(c.rfc)},
                {"level", scenario::to_string(c.level)},
                {"location", location(c.loc)},
                {"verdict", run::to_string(c.verdict)},
                {"reason", c.reason},
                {"duration_ms", static_cast<long long>(c.duration.count())},
                {"steps", std::move(steps)},
                {"transcript", c.transcript}};
}

}  // namespace

void write_json(const run::RunResult& result, std::ostream& out) {
  Array cases;
  for (const auto& c : result.cases) cases.push_back(case_value(c));
  Object summary;
  for (auto verdict : {run::Verdict::pass, run::Verdict::skipped, run::Verdict::unsupported, run::Verdict::warn,
                       run::Verdict::fail, run::Verdict::error})
    summary.emplace(std::string(run::to_string(verdict)), result.count(verdict));
  summary.emplace("total", static_cast<int>(result.cases.size()));
  Value root = Object{{"schema", json_schema},
                      {"tool", Object{{"name", "ftpspec"}, {"version", result.tool_version}}},
                      {"target", result.target},
                      {"greeting", strings(result.greeting)},
                      {"features", strings(result.features)},
                      {"started_at", result.started_at},
                      {"duration_ms", static_cast<long long>(result.duration.count())},
                      {"summary", std::move(summary)},
                      {"cases", std::move(cases)},
                      {"server_output", result.server_output}};
  std::string text;
  write(root, text, 0);
  out << text << '\n';
}

}  // namespace ftpspec::reports
