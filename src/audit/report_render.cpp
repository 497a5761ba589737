#include "report_render.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include <nlohmann/json.hpp>

#include "aiguillage/core/version.hpp"
#include "core/html.hpp"

namespace aiguillage {
inline namespace v1 {
namespace report_detail {

namespace {

using Json = nlohmann::ordered_json;
using Kind = ReportTable::Cell::Kind;

bool is_share_column(const std::string& id) {
  return id == "share" || id == "rate" || id == "rate_low" || id == "rate_high" ||
         id == "persisting" || id == "matched" ||
         (id.size() > 6 && id.compare(id.size() - 6, 6, "_share") == 0);
}

// Figures rounded for a stable document: six significant digits.
double rounded(double x) {
  if (x == 0 || !std::isfinite(x)) return x;
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", x);
  return std::strtod(buf, nullptr);
}

std::string escape(std::string_view s) {
  return detail::html_escape(s);
}

std::string tr(const RenderInput& in, std::string_view fr, std::string_view en) {
  return std::string(in.options->lang == "en" ? en : fr);
}

const char* kStyle = R"(
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;
margin:2rem auto;max-width:70rem;padding:0 1rem;color:#1b1b1b;line-height:1.45}
h1{font-size:1.6rem}h2{font-size:1.3rem;border-bottom:2px solid #000091;margin-top:2.5rem}
.warning{border:3px solid #b34000;background:#fff4ec;padding:.8rem 1rem;font-weight:bold}
.headlines{display:flex;gap:1rem;flex-wrap:wrap;padding:0;list-style:none}
.headlines li{border:1px solid #999;padding:.6rem 1rem;border-radius:.3rem}
table{border-collapse:collapse;margin:1rem 0;font-size:.85rem}
caption{text-align:left;font-weight:bold;padding:.3rem 0;caption-side:top}
th,td{border:1px solid #bbb;padding:.2rem .45rem;vertical-align:top}
td.n{text-align:right;font-variant-numeric:tabular-nums}
thead th{background:#eef}td.s{color:#666;font-style:italic}
figure{margin:1rem 0}svg text{font-size:11px;font-family:inherit}
.scroll{overflow-x:auto}
@media print{body{max-width:none;margin:0}.scroll{overflow:visible}h2{break-before:page}
table,figure{break-inside:avoid}thead th{background:none}}
)";

// A horizontal bar chart of one share column; suppressed or undefined bars are drawn empty
// and say so.
std::string bar_chart(const RenderInput& in, const ReportTable& t, std::size_t label_col,
                      std::size_t value_col) {
  const std::size_t n = t.rows.size();
  if (n == 0 || n > 40) return {};
  const int row_h = 18, left = 260, width = 640;
  const int height = static_cast<int>(n) * row_h + 24;
  std::string title = t.caption + " — " + t.column_labels[value_col];
  std::string s = "<figure><svg role=\"img\" xmlns=\"http://www.w3.org/2000/svg\" width=\"" +
                  std::to_string(width) + "\" height=\"" + std::to_string(height) +
                  "\" viewBox=\"0 0 " + std::to_string(width) + " " + std::to_string(height) +
                  "\"><title>" + escape(title) + "</title>";
  const int bar_w = width - left - 70;
  for (std::size_t r = 0; r < n; ++r) {
    const auto& label = t.rows[r][label_col];
    const auto& cell = t.rows[r][value_col];
    const int y = static_cast<int>(r) * row_h + 4;
    s += "<text x=\"" + std::to_string(left - 6) + "\" y=\"" + std::to_string(y + 12) +
         "\" text-anchor=\"end\">" + escape(label.text.substr(0, 44)) + "</text>";
    if (cell.suppressed || cell.kind != Kind::number) {
      s += "<text x=\"" + std::to_string(left + 4) + "\" y=\"" + std::to_string(y + 12) +
           "\" fill=\"#666\">" +
           escape(cell.suppressed ? tr(in, "masqué (petit effectif)", "suppressed (small count)")
                                  : "—") +
           "</text>";
      continue;
    }
    const int w = static_cast<int>(std::lround(std::clamp(cell.number, 0.0, 1.0) * bar_w));
    s += "<rect x=\"" + std::to_string(left) + "\" y=\"" + std::to_string(y) + "\" width=\"" +
         std::to_string(w) + "\" height=\"" + std::to_string(row_h - 5) +
         "\" fill=\"#000091\"/><text x=\"" + std::to_string(left + w + 4) + "\" y=\"" +
         std::to_string(y + 12) + "\">" +
         escape(cell_text(cell, in.options->lang, in.options->threshold, true)) + "</text>";
  }
  s += "</svg><figcaption>" + escape(title) + "</figcaption></figure>\n";
  return s;
}

// Ratios to the reference group with their intervals, against the band [0.8, 1.25] (log scale).
// `detail`: the column named after the group in each label (npos: none).
std::string ratio_chart(const RenderInput& in, const ReportTable& t, std::size_t detail = 3) {
  std::vector<std::size_t> rows;
  for (std::size_t r = 0; r < t.rows.size(); ++r) {
    const auto& ratio = t.rows[r][10];
    if (t.rows[r][1].text != t.rows[r][9].text && ratio.kind == Kind::number && !ratio.suppressed)
      rows.push_back(r);
  }
  if (rows.empty() || rows.size() > 300) return {};
  const int row_h = 14, left = 420, width = 820, plot = width - left - 20;
  const int height = static_cast<int>(rows.size()) * row_h + 30;
  const double lo = std::log(0.25), hi = std::log(4.0);
  auto x_of = [&](double v) {
    const double l = std::clamp(std::log(std::max(v, 1e-9)), lo, hi);
    return left + static_cast<int>(std::lround((l - lo) / (hi - lo) * plot));
  };
  const std::string title = tr(in, "Rapports au groupe de référence, avec intervalle à 95 %",
                               "Ratios to the reference group, with 95 % intervals");
  std::string s = "<figure><svg role=\"img\" xmlns=\"http://www.w3.org/2000/svg\" width=\"" +
                  std::to_string(width) + "\" height=\"" + std::to_string(height) +
                  "\" viewBox=\"0 0 " + std::to_string(width) + " " + std::to_string(height) +
                  "\"><title>" + escape(title) + "</title>";
  s += "<rect x=\"" + std::to_string(x_of(0.8)) + "\" y=\"0\" width=\"" +
       std::to_string(x_of(1.25) - x_of(0.8)) + "\" height=\"" + std::to_string(height - 20) +
       "\" fill=\"#e8f0e8\"/>";
  for (double tick : {0.25, 0.5, 0.8, 1.0, 1.25, 2.0, 4.0}) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%g", tick);
    s += "<text x=\"" + std::to_string(x_of(tick)) + "\" y=\"" + std::to_string(height - 6) +
         "\" text-anchor=\"middle\">" + buf + "</text>";
  }
  for (std::size_t k = 0; k < rows.size(); ++k) {
    const auto& row = t.rows[rows[k]];
    const int y = static_cast<int>(k) * row_h + 10;
    const std::string label =
        row[0].text + " " + row[1].text + (detail < row.size() ? " · " + row[detail].text : "");
    s += "<text x=\"" + std::to_string(left - 6) + "\" y=\"" + std::to_string(y + 4) +
         "\" text-anchor=\"end\">" + escape(label.substr(0, 70)) + "</text>";
    if (row[11].kind == Kind::number && row[12].kind == Kind::number)
      s += "<line x1=\"" + std::to_string(x_of(row[11].number)) + "\" x2=\"" +
           std::to_string(x_of(row[12].number)) + "\" y1=\"" + std::to_string(y) + "\" y2=\"" +
           std::to_string(y) + "\" stroke=\"#333\"/>";
    s += "<circle cx=\"" + std::to_string(x_of(row[10].number)) + "\" cy=\"" + std::to_string(y) +
         "\" r=\"3.5\" fill=\"#000091\"/>";
  }
  s += "</svg><figcaption>" + escape(title) +
       tr(in, " (zone verte : [0,8 ; 1,25], échelle logarithmique)",
          " (green band: [0.8, 1.25], log scale)") +
       "</figcaption></figure>\n";
  return s;
}

std::string table_html(const RenderInput& in, const ReportTable& t) {
  std::string s = "<div class=\"scroll\"><table id=\"" +
                  escape(t.id + "-" + std::to_string(t.version)) + "\"><caption>" +
                  escape(t.caption) + "</caption><thead><tr>";
  for (const auto& l : t.column_labels) s += "<th scope=\"col\">" + escape(l) + "</th>";
  s += "</tr></thead><tbody>";
  if (t.rows.empty())
    s += "<tr><td colspan=\"" + std::to_string(t.column_labels.size()) + "\">" +
         tr(in, "aucune donnée", "no data") + "</td></tr>";
  for (const auto& row : t.rows) {
    s += "<tr>";
    for (std::size_t c = 0; c < row.size(); ++c) {
      const auto& cell = row[c];
      const std::string text = cell_text(cell, in.options->lang, in.options->threshold,
                                         is_share_column(t.column_ids[c]));
      if (c == 0) {
        s += "<th scope=\"row\">" + escape(text) + "</th>";
      } else {
        const char* cls = cell.suppressed           ? " class=\"s\""
                          : cell.kind == Kind::text ? ""
                                                    : " class=\"n\"";
        s += std::string("<td") + cls + ">" + escape(text) + "</td>";
      }
    }
    s += "</tr>";
  }
  return s + "</tbody></table></div>\n";
}

}  // namespace

std::string cell_text(const ReportTable::Cell& c, std::string_view lang, int threshold,
                      bool is_share) {
  if (c.suppressed) return "< " + std::to_string(threshold);
  char buf[48];
  switch (c.kind) {
    case Kind::text:
      return c.text;
    case Kind::none:
      return "—";
    case Kind::count:
      std::snprintf(buf, sizeof buf, "%.0f", c.number);
      return buf;
    case Kind::number:
      if (is_share)
        std::snprintf(buf, sizeof buf, "%.1f %%", 100 * c.number);
      else
        std::snprintf(buf, sizeof buf, "%.3g", c.number);
      break;
  }
  std::string s = buf;
  if (lang == "fr") std::replace(s.begin(), s.end(), '.', ',');
  return s;
}

std::string render_json(const RenderInput& in) {
  const Model& m = *in.model;
  const ReportOptions& o = *in.options;
  Json doc;
  doc["schema"] = "aiguillage.report";
  doc["schema_version"] = "1.2";
  doc["engine"] = std::string(engine_version());
  doc["lang"] = o.lang;
  doc["threshold"] = o.threshold;
  doc["source"] = in.source;
  doc["verification"] = {{"verified", m.verification.ok},
                         {"lines", m.verification.lines},
                         {"first_bad_line", m.verification.first_bad},
                         {"message", m.verification.message}};
  doc["filters"] = {{"from", o.from ? Json(o.from->to_string()) : Json()},
                    {"to", o.to ? Json(o.to->to_string()) : Json()},
                    {"territories", o.territories},
                    {"group_by", o.group_by}};
  doc["records"] = {{"read", m.records},
                    {"outside_filters", m.outside},
                    {"unreadable", m.unreadable},
                    {"pack_missing", m.pack_missing}};
  Json versions = Json::array();
  for (std::size_t k = 0; k < m.versions.size(); ++k) {
    const auto& v = m.versions[k];
    versions.push_back({{"pack", {{"id", v.id}, {"version", v.version}, {"hash", v.hash}}},
                        {"records", v.rows.size()},
                        {"headlines", in.versions[k].headlines},
                        {"flagged", in.versions[k].flagged}});
  }
  doc["versions"] = versions;
  Json tables = Json::array();
  for (const ReportTable& t : *in.tables) {
    Json columns = Json::array();
    for (std::size_t c = 0; c < t.column_ids.size(); ++c)
      columns.push_back({{"id", t.column_ids[c]}, {"label", t.column_labels[c]}});
    Json rows = Json::array();
    for (const auto& row : t.rows) {
      Json cells = Json::array();
      for (const auto& cell : row) {
        if (cell.suppressed)
          cells.push_back({{"suppressed", true}});
        else if (cell.kind == Kind::text)
          cells.push_back(cell.text);
        else if (cell.kind == Kind::count)
          cells.push_back(static_cast<std::uint64_t>(cell.number));
        else if (cell.kind == Kind::number)
          cells.push_back(rounded(cell.number));
        else
          cells.push_back(nullptr);
      }
      rows.push_back(std::move(cells));
    }
    tables.push_back({{"id", t.id},
                      {"section", t.section},
                      {"version", t.version},
                      {"caption", t.caption},
                      {"columns", columns},
                      {"rows", rows}});
  }
  doc["tables"] = tables;
  return doc.dump(1, ' ', false, Json::error_handler_t::replace) + "\n";
}

std::string render_html(const RenderInput& in) {
  const Model& m = *in.model;
  const ReportOptions& o = *in.options;
  std::string s = "<!DOCTYPE html>\n<html lang=\"" + o.lang +
                  "\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" "
                  "content=\"width=device-width, initial-scale=1\">"
                  "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
                  "style-src 'unsafe-inline'; img-src data:\"><title>" +
                  tr(in, "Rapport des décisions d'orientation", "Orientation decisions report") +
                  "</title><style>" + kStyle + "</style></head><body>\n<main>\n<h1>" +
                  tr(in, "Rapport des décisions d'orientation", "Orientation decisions report") +
                  "</h1>\n";
  if (!m.verification.ok)
    s += "<p class=\"warning\" role=\"alert\">" +
         tr(in,
            "Attention : le journal des décisions n'est pas intègre (première ligne en défaut : ",
            "Warning: the decision log does not verify (first bad line: ") +
         std::to_string(m.verification.first_bad) + " — " + escape(m.verification.message) +
         tr(in,
            "). Ce rapport a été établi malgré tout, à la demande (--unverified) ; ses chiffres "
            "peuvent porter sur des décisions altérées.",
            "). This report was produced anyway, on request (--unverified); its figures may "
            "include altered decisions.") +
         "</p>\n";
  s += "<p>" + tr(in, "Source : ", "Source: ") + escape(in.source) + " · " +
       tr(in, "décisions lues : ", "decisions read: ") + std::to_string(m.records) + " · " +
       tr(in, "hors filtres : ", "outside the filters: ") + std::to_string(m.outside) + " · " +
       tr(in, "illisibles : ", "unreadable: ") + std::to_string(m.unreadable) + " · " +
       tr(in, "version de règles introuvable : ", "rule version not found: ") +
       std::to_string(m.pack_missing) + "</p>\n<p>" +
       tr(in, "Les effectifs inférieurs à ", "Counts below ") + std::to_string(o.threshold) +
       tr(in,
          " sont masqués (« < N »), ainsi qu'une autre case de la même ligne ou colonne quand "
          "un total permettrait de les retrouver. « — » : non défini (aucune donnée, "
          "dénominateur nul).",
          " are suppressed (\"< N\"), with another cell of the same line or column when a total "
          "would reveal them. \"—\": not defined (no data, zero denominator).") +
       "</p>\n";
  for (std::size_t k = 0; k < m.versions.size(); ++k) {
    const auto& v = m.versions[k];
    s += "<h2>" + tr(in, "Règles ", "Rules ") + escape(v.id + " " + v.version) + "</h2>\n";
    s += "<ul class=\"headlines\">";
    for (const auto& h : in.versions[k].headlines) s += "<li>" + escape(h) + "</li>";
    s += "</ul>\n";
    if (!in.versions[k].flagged.empty()) {
      s += "<p>" +
           tr(in, "Écarts hors de [0,8 ; 1,25] et significatifs :",
              "Gaps outside [0.8, 1.25] and significant:") +
           "</p><ul>";
      for (const auto& f : in.versions[k].flagged) s += "<li>" + escape(f) + "</li>";
      s += "</ul>\n";
    }
    std::string section;
    for (const ReportTable& t : *in.tables) {
      if (t.version != static_cast<int>(k)) continue;
      if (t.section != section) {
        section = t.section;
        const std::string title =
            section == "indicators" ? tr(in, "Indicateurs", "Indicators")
            : section == "disparities"
                ? tr(in, "Écarts entre groupes", "Disparities between groups")
            : section == "territorial" ? tr(in, "Cohérence territoriale", "Territorial consistency")
            : section == "matching"
                ? tr(in, "Appariement : exposition des groupes", "Matching: exposure of groups")
                : tr(in, "Effet d'un changement de règles", "Impact of a rule change");
        s += "<h3>" + title + "</h3>\n";
      }
      if (t.id.rfind("outcomes_", 0) == 0) s += bar_chart(in, t, 0, 4);
      if (t.id == "decision_mode" || t.id == "review") s += bar_chart(in, t, 0, 2);
      if (t.id == "by_territory") s += bar_chart(in, t, 0, 3);
      if (t.id == "disparities") s += ratio_chart(in, t);
      if (t.id == "matching_exposure") {
        s += bar_chart(in, t, 1, 4);
        s += ratio_chart(in, t, std::string::npos);
      }
      s += table_html(in, t);
    }
  }
  s += "</main>\n</body></html>\n";
  return s;
}

}  // namespace report_detail

std::string table_to_csv(const ReportTable& table, std::string_view lang) {
  auto quote = [](const std::string& f) {
    if (f.find_first_of(",\"\n\r") == std::string::npos) return f;
    std::string out = "\"";
    for (char ch : f) {
      if (ch == '"') out += '"';
      out += ch;
    }
    return out + '"';
  };
  std::string s;
  for (std::size_t c = 0; c < table.column_labels.size(); ++c)
    s += (c ? "," : "") + quote(table.column_labels[c]);
  s += "\r\n";
  for (const auto& row : table.rows) {
    for (std::size_t c = 0; c < row.size(); ++c) {
      const auto& cell = row[c];
      std::string text;
      if (cell.suppressed)
        text = "<suppressed>";
      else if (cell.kind == ReportTable::Cell::Kind::none)
        text = "";
      else if (cell.kind == ReportTable::Cell::Kind::text)
        text = cell.text;
      else {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%.6g", cell.number);
        text = buf;
      }
      s += (c ? "," : "") + quote(text);
    }
    s += "\r\n";
  }
  (void)lang;
  return s;
}

}  // namespace v1
}  // namespace aiguillage
