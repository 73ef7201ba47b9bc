#include "worker/csv_table.h"

#include <algorithm>
#include <cstdint>
#include <string>

#include "core/markup.h"
#include "core/utf8.h"
#include "worker/page_html.h"
#include "worker/text_encoding.h"

namespace wenku::worker {
namespace {

/// detect_csv_delimiter() looks at this many leading bytes and records.
constexpr std::size_t csv_sniff_bytes = 64 * 1024;
constexpr std::size_t csv_sniff_records = 50;
/// Candidates in order of preference on a tie.
constexpr char csv_delimiters[] = {'\t', ';', ','};
/// A header cell longer than this (code points) is taken for data.
constexpr std::size_t csv_max_header_cell = 40;
/// Break opportunities in table cells come more often than in running text: columns are narrow.
constexpr int csv_max_unbreakable_run = 16;
/// Tables wider than this are set as one paragraph per record: columns would be too narrow.
constexpr std::size_t csv_max_table_columns = 24;

// Rules between rows instead of boxed cells (see page_html.cpp); narrow page margins for wide tables.
// MuPDF 1.21 gives every column the same width (it ignores width, <col> and colspan), splits a
// tall row across pages and does not repeat a header row (<thead>) on later pages. Its CJK
// fallback font has no bold, so header cells are also shaded.
constexpr std::string_view csv_css =
    "@page { margin: 1.5cm; }\n"
    "table { border-top: 1pt solid #555; border-bottom: 1pt solid #555; margin: 0 0 0.7em 0; }\n"
    "tr { border-bottom: 0.4pt solid #bbb; }\n"
    "th, td { padding: 2pt 4pt; vertical-align: top; text-align: left; line-height: 1.35; }\n"
    "th { font-weight: bold; background-color: #eee; }\n"
    "table.c6 { font-size: 10pt; } table.c10 { font-size: 8.5pt; } table.c16 { font-size: 7pt; }\n"
    "table.cmax { font-size: 6pt; } table.cmax th, table.cmax td { padding: 1.5pt 2pt; }\n"
    "p.record { font-size: 9pt; line-height: 1.45; margin: 0; padding: 3pt 0;"
    " border-bottom: 0.4pt solid #bbb; }\n"
    "span.name { color: #555; }\n"
    "p.note { font-size: 9pt; color: #555; }\n";

/// Reads CSV records one at a time. For every field of a record it calls sink.begin_field(), then
/// sink.append(piece) for each piece of the field's text (a quoted field with doubled quotes comes
/// in several pieces). Every byte of the input is looked at once.
class CsvReader {
  public:
    CsvReader(std::string_view text, char delimiter) : text_(text), delimiter_(delimiter) {
        stops_[0] = delimiter;
    }

    /// Position of the next unread byte.
    std::size_t position() const { return pos_; }

    /// Reads one record; false (and no calls) at the end of the input.
    template <class Sink>
    bool read_record(Sink& sink) {
        if (pos_ >= text_.size()) return false;
        sink.begin_field();
        bool at_field_start = true;
        while (pos_ < text_.size()) {
            if (at_field_start && text_[pos_] == '"') {
                read_quoted(sink);
                at_field_start = false;
                continue;
            }
            std::size_t end = text_.find_first_of(std::string_view(stops_, 3), pos_);
            if (end == std::string_view::npos) end = text_.size();
            if (end > pos_) sink.append(text_.substr(pos_, end - pos_));
            pos_ = end;
            at_field_start = false;
            if (pos_ >= text_.size()) break;
            const char c = text_[pos_++];
            if (c == delimiter_) {
                sink.begin_field();
                at_field_start = true;
                continue;
            }
            if (c == '\r' && pos_ < text_.size() && text_[pos_] == '\n') ++pos_;
            break;  // end of the record
        }
        return true;
    }

  private:
    // Reads a quoted section starting at the opening quote, up to and including its closing quote.
    template <class Sink>
    void read_quoted(Sink& sink) {
        ++pos_;
        while (pos_ < text_.size()) {
            const std::size_t quote = text_.find('"', pos_);
            if (quote == std::string_view::npos) {  // never closed: the rest of the input
                sink.append(text_.substr(pos_));
                pos_ = text_.size();
                return;
            }
            if (quote > pos_) sink.append(text_.substr(pos_, quote - pos_));
            pos_ = quote + 1;
            if (pos_ < text_.size() && text_[pos_] == '"') {
                sink.append("\"");
                ++pos_;
                continue;
            }
            return;
        }
    }

    std::string_view text_;
    char delimiter_;
    char stops_[3] = {',', '\n', '\r'};
    std::size_t pos_ = 0;
};

/// Counts the fields of a record and whether any has text.
struct CsvFieldCounter {
    std::size_t fields = 0;
    bool has_text = false;
    void begin_field() { ++fields; }
    void append(std::string_view piece) { has_text = has_text || !piece.empty(); }
};

/// Collects a record into cells within CsvLimits. With `keep` false it only counts.
class CsvRowBuilder {
  public:
    CsvRowBuilder(const CsvLimits& limits, char delimiter)
        : limits_(limits),
          separator_(delimiter == '\t' ? std::string(" ") : std::string(1, delimiter) + " ") {}

    void start(bool keep) {
        keep_ = keep;
        cells_.clear();
        fields_ = 0;
        has_text_ = false;
        cut_ = false;
        pending_separator_ = false;
    }

    void begin_field() {
        ++fields_;
        if (!keep_) return;
        if (cells_.size() < std::max<std::size_t>(1, limits_.max_columns)) {
            cells_.emplace_back();
            cut_ = false;
            return;
        }
        // Past the last column: the field joins the last cell, after a separator, if it has text.
        pending_separator_ = !cells_.back().empty();
    }

    void append(std::string_view piece) {
        if (piece.empty()) return;
        has_text_ = true;
        if (!keep_) return;
        if (pending_separator_) {
            add(separator_);
            pending_separator_ = false;
        }
        add(piece);
    }

    std::size_t fields() const { return fields_; }
    bool blank() const { return fields_ <= 1 && !has_text_; }
    bool cut_any() const { return cut_any_; }
    std::vector<std::string> take() { return std::move(cells_); }

  private:
    void add(std::string_view piece) {
        if (cut_) return;
        std::string& cell = cells_.back();
        const std::size_t room =
            limits_.max_cell_bytes > cell.size() ? limits_.max_cell_bytes - cell.size() : 0;
        if (piece.size() <= room) {
            cell.append(piece);
            return;
        }
        std::size_t keep = room;
        while (keep > 0 && (static_cast<unsigned char>(piece[keep]) & 0xC0) == 0x80)
            --keep;  // never split a character
        cell.append(piece.substr(0, keep));
        cell += "…";
        cut_ = true;
        cut_any_ = true;
    }

    const CsvLimits& limits_;
    std::string separator_;
    std::vector<std::string> cells_;
    std::size_t fields_ = 0;
    bool keep_ = true;
    bool has_text_ = false;
    bool cut_ = false;
    bool cut_any_ = false;
    bool pending_separator_ = false;
};

/// How consistently `delimiter` splits the first records: how many of `records` records have the
/// most common field count (`fields`, at least 2 for a real split).
struct DelimiterFit {
    std::size_t matching = 0;
    std::size_t records = 0;
    std::size_t fields = 0;
};

DelimiterFit fit_of(std::string_view sample, char delimiter);
bool looks_like_header(const CsvTable& table);
std::string group_thousands(std::size_t n);
void append_csv_table(std::string& out, const CsvTable& table, std::size_t columns, bool header);
void append_csv_records(std::string& out, const CsvTable& table, bool header);

}  // namespace

char detect_csv_delimiter(std::string_view utf8) {
    const std::string_view sample = utf8.substr(0, csv_sniff_bytes);
    char best = ',';
    DelimiterFit best_fit;
    for (const char delimiter : csv_delimiters) {
        const DelimiterFit fit = fit_of(sample, delimiter);
        if (fit.fields < 2 || fit.records == 0) continue;
        // Compare matching/records as fractions; earlier candidates win ties.
        const bool better =
            best_fit.records == 0 || fit.matching * best_fit.records > best_fit.matching * fit.records;
        if (better) {
            best = delimiter;
            best_fit = fit;
        }
    }
    return best;
}

CsvTable parse_csv(std::string_view utf8, char delimiter, const CsvLimits& limits) {
    CsvTable table;
    CsvReader reader(utf8, delimiter);
    CsvRowBuilder row(limits, delimiter);
    std::size_t cells = 0;
    bool keep = true;
    while (true) {
        row.start(keep);
        if (!reader.read_record(row)) break;
        if (row.blank()) continue;
        ++table.total_rows;
        table.widest = std::max(table.widest, row.fields());
        if (!keep) continue;
        std::vector<std::string> record = row.take();
        cells += record.size();
        table.rows.push_back(std::move(record));
        keep = table.rows.size() < limits.max_rows && cells < limits.max_cells;
    }
    table.cells_cut = row.cut_any();
    return table;
}

std::string csv_to_html(std::string_view utf8, const CsvLimits& limits) {
    const std::string text = decode_to_utf8(utf8, TextEncoding::utf8);
    const char delimiter = detect_csv_delimiter(text);
    const CsvTable table = parse_csv(text, delimiter, limits);
    std::size_t columns = 1;
    for (const auto& record : table.rows) columns = std::max(columns, record.size());
    const bool header = looks_like_header(table);

    std::string body;
    body.reserve(text.size() + text.size() / 4 + 256);
    if (table.widest > limits.max_columns) {
        body += "<p class=\"note\">此表共 " + group_thousands(table.widest) + " 列，第 " +
                std::to_string(limits.max_columns) + " 列及以后的内容合并显示在第 " +
                std::to_string(limits.max_columns) + " 列。</p>\n";
    }
    if (table.cells_cut) {
        body += "<p class=\"note\">超过 " + group_thousands(limits.max_cell_bytes) +
                " 字节的单元格内容已截断（以“…”结尾）。</p>\n";
    }
    if (columns <= csv_max_table_columns) {
        append_csv_table(body, table, columns, header);
    } else {
        append_csv_records(body, table, header);
    }
    if (table.total_rows > table.rows.size()) {
        body += "<p class=\"note\">此表共 " + group_thousands(table.total_rows) + " 行，只显示了前 " +
                group_thousands(table.rows.size()) + " 行。</p>\n";
    }
    return html_document(csv_css, body);
}

namespace {

DelimiterFit fit_of(std::string_view sample, char delimiter) {
    CsvReader reader(sample, delimiter);
    std::vector<std::size_t> counts;
    while (counts.size() < csv_sniff_records) {
        CsvFieldCounter counter;
        if (!reader.read_record(counter)) break;
        if (counter.fields <= 1 && !counter.has_text) continue;  // blank line
        counts.push_back(counter.fields);
    }
    // The last record of a cut-off sample may be incomplete.
    if (counts.size() > 1 && reader.position() >= sample.size() && sample.size() == csv_sniff_bytes) {
        counts.pop_back();
    }
    DelimiterFit fit;
    fit.records = counts.size();
    std::vector<std::size_t> sorted = counts;
    std::sort(sorted.begin(), sorted.end());
    for (std::size_t i = 0; i < sorted.size();) {
        std::size_t j = i;
        while (j < sorted.size() && sorted[j] == sorted[i]) ++j;
        if (j - i > fit.matching || (j - i == fit.matching && sorted[i] > fit.fields)) {
            fit.matching = j - i;
            fit.fields = sorted[i];
        }
        i = j;
    }
    return fit;
}

/// Numbers, amounts, percentages, dates and times: digits with separators, signs and units.
bool looks_numeric(std::string_view cell) {
    bool digit = false;
    for (std::size_t i = 0; i < cell.size();) {
        const Utf8Char c = next_utf8(cell, i);
        i += c.length;
        if (c.cp >= '0' && c.cp <= '9') {
            digit = true;
            continue;
        }
        static constexpr std::u32string_view allowed = U" +-.,:/%()$€£¥年月日时分秒元";
        if (allowed.find(c.cp) == std::u32string_view::npos) return false;
    }
    return digit;
}

std::size_t code_point_count(std::string_view s) {
    std::size_t n = 0;
    for (const char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
    return n;
}

std::string_view trim_blanks(std::string_view s) {
    const std::size_t b = s.find_first_not_of(" \t\n");
    if (b == std::string_view::npos) return {};
    const std::size_t e = s.find_last_not_of(" \t\n");
    return s.substr(b, e - b + 1);
}

/// Is the first record a header? It must be followed by data, and its cells must be non-empty,
/// distinct, short, single-line and not numbers or dates.
bool looks_like_header(const CsvTable& table) {
    if (table.rows.size() < 2) return false;
    const auto& first = table.rows.front();
    std::vector<std::string_view> seen;
    for (const auto& raw : first) {
        const std::string_view cell = trim_blanks(raw);
        if (cell.empty() || cell.find('\n') != std::string_view::npos ||
            code_point_count(cell) > csv_max_header_cell || looks_numeric(cell) ||
            std::find(seen.begin(), seen.end(), cell) != seen.end()) {
            return false;
        }
        seen.push_back(cell);
    }
    return true;
}

/// Appends one cell's text, escaped, with line breaks kept and a break opportunity after every
/// `max_run` code points that offer none.
void append_csv_cell(std::string& out, std::string_view cell, int max_run) {
    BreakInserter breaks(max_run);
    const std::string_view text = trim_blanks(cell);
    for (std::size_t i = 0; i < text.size();) {
        const Utf8Char c = next_utf8(text, i);
        i += c.length;
        if (c.cp == '\n') {
            out += "<br/>";
            breaks.before(out, '\n');
            continue;
        }
        breaks.before(out, c.cp);
        append_markup_escaped(out, c.cp);
    }
}

/// How a table of `columns` columns is set: MuPDF divides the width evenly, so the font shrinks
/// with the number of columns, and long unbreakable values get break opportunities at about the
/// column's width in characters (else they would run into the next column).
struct CsvTableStyle {
    const char* css_class;
    int max_run;
};

CsvTableStyle csv_table_style(std::size_t columns) {
    struct Step {
        std::size_t columns;
        const char* css_class;
        float font_pt;
        float padding_pt;
    };
    static constexpr Step steps[] = {
        {6, "c6", 10, 8}, {10, "c10", 8.5f, 8}, {16, "c16", 7, 6}, {SIZE_MAX, "cmax", 6, 4}};
    constexpr float width_pt = 595 - 2 * 42.5f;  // A4 (narrower than Letter) less csv_css's 1.5 cm margins
    constexpr float latin_advance_em = 0.55f;    // mean advance of Latin letters and digits
    for (const Step& step : steps) {
        if (columns > step.columns) continue;
        const float column_width = width_pt / static_cast<float>(std::max<std::size_t>(1, columns));
        const float text_width = column_width - step.padding_pt;
        const int fit = static_cast<int>(text_width / (latin_advance_em * step.font_pt));
        return {step.css_class, std::clamp(fit, 6, csv_max_unbreakable_run)};
    }
    return {"cmax", 6};
}

/// 1234567 -> "1,234,567".
std::string group_thousands(std::size_t n) {
    const std::string digits = std::to_string(n);
    std::string out;
    out.reserve(digits.size() + digits.size() / 3);
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
        out += digits[i];
    }
    return out;
}

/// The table as an HTML table: a header row when there is one, rules between rows.
void append_csv_table(std::string& out, const CsvTable& table, std::size_t columns, bool header) {
    const CsvTableStyle style = csv_table_style(columns);
    out += "<table class=\"";
    out += style.css_class;
    out += "\">\n";
    for (std::size_t r = 0; r < table.rows.size(); ++r) {
        const bool head = header && r == 0;
        out += "<tr>";
        const auto& record = table.rows[r];
        for (std::size_t c = 0; c < columns; ++c) {
            out += head ? "<th>" : "<td>";
            if (c < record.size()) append_csv_cell(out, record[c], style.max_run);
            out += head ? "</th>" : "</td>";
        }
        out += "</tr>\n";
    }
    out += "</table>\n";
}

/// The table as one paragraph per record, "name: value" for each non-empty field (names from the
/// header, else column numbers): for tables too wide for a page's width.
void append_csv_records(std::string& out, const CsvTable& table, bool header) {
    const std::vector<std::string> none;
    const std::vector<std::string>& names = header ? table.rows.front() : none;
    for (std::size_t r = header ? 1 : 0; r < table.rows.size(); ++r) {
        out += "<p class=\"record\">";
        bool first = true;
        const auto& record = table.rows[r];
        for (std::size_t c = 0; c < record.size(); ++c) {
            if (trim_blanks(record[c]).empty()) continue;
            if (!first) out += "　";
            first = false;
            out += "<span class=\"name\">";
            if (c < names.size()) {
                append_csv_cell(out, names[c], csv_max_unbreakable_run);
            } else {
                out += std::to_string(c + 1);
            }
            out += "：</span>";
            append_csv_cell(out, record[c], max_unbreakable_run);
        }
        out += "</p>\n";
    }
}

}  // namespace
}  // namespace wenku::worker
