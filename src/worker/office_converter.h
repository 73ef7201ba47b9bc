#pragma once
// Office documents to PDF through LibreOfficeKit, inside the worker process. LibreOffice is
// started once per worker process (on the first office document) and reused; it can never be
// re-initialised in the same process, so the worker is recycled instead. Macros never run,
// nothing remote is fetched, links are never updated, and Han text without a language of its own
// is drawn with Simplified Chinese glyph shapes (Noto Sans/Serif CJK SC).
//
// Once LibreOffice has started, exit() ends the process with _exit(status) after flushing stdio:
// LibreOffice 7.4's static destructors use freed memory and abort or deadlock the process at
// exit. Objects with static storage that must clean up have to do so before exit().
#include <filesystem>
#include <string>
#include <string_view>

namespace wenku::worker {

struct OfficeOptions {
    std::filesystem::path profile_dir;  // LibreOffice user profile (private to this worker)
    // LibreOffice's program folder (holds libmergedlo.so); Debian's libreoffice-core puts it here.
    std::filesystem::path install_dir = "/usr/lib/libreoffice/program";
};

/// The page size of documents that set none.
enum class Paper { a4, letter };

/// Paper::letter for "letter", else Paper::a4 (the convert.paper setting, already validated).
Paper paper_from_setting(std::string_view setting);

/// Converts `input` (of detected `format`: "docx", "doc", "xlsx", "pptx", "odt", "rtf", "epub", ...)
/// to a PDF at `pdf_out`, with LibreOffice's own pagination: every sheet of a spreadsheet, one slide
/// per page of a presentation, fonts embedded and text extractable. `format` also names the type
/// LibreOffice is told to expect (the input's own file name is not trusted); an empty or unknown
/// format falls back to the input's extension. Spreadsheets, presentations and text documents that
/// set no page size are laid out on `paper` (chosen for each document, so one long-lived process
/// serves either; Word's own formats keep Word's default, Letter, as Word does). Starts LibreOffice
/// first when this process has not (see prepare_office; the options of the first call win).
/// Throws InputError naming `display_name`: encrypted (the document asks for a password),
/// corrupt (LibreOffice cannot load it, cannot export it, or the export is not a PDF), empty (the
/// export has no pages). Throws EnvironmentError when LibreOffice cannot start or the output
/// cannot be written. On any failure nothing is left at `pdf_out`.
void office_to_pdf(const std::filesystem::path& input, std::string_view format, std::string_view display_name,
                   const std::filesystem::path& pdf_out, const OfficeOptions& options,
                   Paper paper = Paper::a4);

/// Starts LibreOffice now (before the worker confines itself further): writes the locked-down
/// profile (registrymodifications.xcu) and the fontconfig file (fonts.conf, which FONTCONFIG_FILE
/// is pointed at) into options.profile_dir, then initialises LibreOfficeKit. Idempotent: later
/// calls return at once, or rethrow the first failure (LibreOfficeKit cannot be started twice in
/// one process). Throws EnvironmentError when the profile cannot be written or LibreOffice does
/// not start.
void prepare_office(const OfficeOptions& options);

}  // namespace wenku::worker
