#include "worker/office_converter.h"

#include "worker/office_fonts.h"

// The unstable part of the LibreOfficeKit API holds the document-type and feature enums.
#define LOK_USE_UNSTABLE_API
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <system_error>

#include <LibreOfficeKit/LibreOfficeKit.h>
#include <LibreOfficeKit/LibreOfficeKitEnums.h>
#include <LibreOfficeKit/LibreOfficeKitInit.h>

#include "core/conversion.h"
#include "core/errors.h"
#include "worker/mupdf_context.h"

namespace wenku::worker {
namespace fs = std::filesystem;

namespace {

// Memory MuPDF may use to count the pages of the PDF LibreOffice wrote.
constexpr std::size_t page_count_memory_bytes = std::size_t{256} << 20;

// ---------------------------------------------------------------------------------------------
// The locked-down LibreOffice profile.

struct ProfileSetting {
    const char* path;   // configuration node
    const char* name;   // property
    const char* value;  // as written in the .xcu
};

// Every entry exists in LibreOffice 7.4's schema (share/registry/main.xcd); values are the enum
// numbers of that schema.
constexpr ProfileSetting profile_settings[] = {
    // Macros: "very high" security (only signed macros from trusted sources, and there are none),
    // macro execution switched off altogether, Basic never run, no plug-ins.
    {"/org.openoffice.Office.Common/Security/Scripting", "MacroSecurityLevel", "3"},
    {"/org.openoffice.Office.Common/Security/Scripting", "DisableMacrosExecution", "true"},
    {"/org.openoffice.Office.Common/Security/Scripting", "OfficeBasic", "0"},
    {"/org.openoffice.Office.Common/Security/Scripting", "ExecutePlugins", "false"},
    // Links to other files or URLs are not followed from a document outside a trusted location
    // (no location is trusted: SecureURL stays empty).
    {"/org.openoffice.Office.Common/Security/Scripting", "BlockUntrustedRefererLinks", "true"},
    // Linked content is never updated on load: Writer's UpdateLinks NEVER = 0, Calc's
    // ScLkUpdMode LM_NEVER = 1 (the two enums differ).
    {"/org.openoffice.Office.Writer/Content/Update", "Link", "0"},
    {"/org.openoffice.Office.Calc/Content/Update", "Link", "1"},
    // No first-start wizard, tips, update or crash-report dialogs, package installs.
    {"/org.openoffice.Setup/Office", "ooSetupInstCompleted", "true"},
    {"/org.openoffice.Office.Common/Misc", "FirstRun", "false"},
    {"/org.openoffice.Office.Common/Misc", "ShowTipOfTheDay", "false"},
    {"/org.openoffice.Office.Common/Misc", "CrashReport", "false"},
    {"/org.openoffice.Office.Common/Load", "ShowOfficeUpdateDialog", "false"},
    {"/org.openoffice.Office.Common/PackageKit", "EnableFontInstallation", "false"},
    {"/org.openoffice.Office.Common/PackageKit", "EnableLangpackInstallation", "false"},
    {"/org.openoffice.Office.Common/PackageKit", "EnableBaseInstallation", "false"},
    // No recovery information, no autosave, no backup copies, no lock files next to documents.
    {"/org.openoffice.Office.Recovery/RecoveryInfo", "Enabled", "false"},
    {"/org.openoffice.Office.Recovery/AutoSave", "Enabled", "false"},
    {"/org.openoffice.Office.Recovery/AutoSave", "UserAutoSaveEnabled", "false"},
    {"/org.openoffice.Office.Common/Save/Document", "AutoSave", "false"},
    {"/org.openoffice.Office.Common/Save/Document", "CreateBackup", "false"},
    {"/org.openoffice.Office.Common/Misc", "UseLocking", "false"},
    {"/org.openoffice.Office.Common/Misc", "UseDocumentSystemFileLocking", "false"},
    {"/org.openoffice.Office.Common/Misc", "UseDocumentOOoLockFile", "false"},
    {"/org.openoffice.Office.Common/Misc", "UseWebDAVFileLocking", "false"},
    // Nothing remote: no proxy lookups, no WebDAV redirection probes, no online grammar checker.
    {"/org.openoffice.Inet/Settings", "ooInetProxyType", "0"},
    {"/org.openoffice.Office.Common/Load", "DetectWebDAVRedirection", "false"},
    {"/org.openoffice.Office.Linguistic/GrammarChecking/LanguageTool", "IsEnabled", "false"},
    // No OpenCL device probing (slow, and it loads GPU drivers into the worker).
    {"/org.openoffice.Office.Common/Misc", "UseOpenCL", "false"},
    // Spell checking is not needed to lay out a document.
    {"/org.openoffice.Office.Linguistic/SpellChecking", "IsSpellAuto", "false"},
    {"/org.openoffice.Office.Linguistic/GrammarChecking", "IsAutoCheck", "false"},
    // Decoded pictures are kept only while a document needs them: LibreOffice's defaults keep up to
    // 300 MB of them (and a 400 MB cache) across documents, which a long-lived worker must not.
    {"/org.openoffice.Office.Common/Cache/GraphicManager", "GraphicMemoryLimit", "40000000"},
    {"/org.openoffice.Office.Common/Cache/GraphicManager", "TotalCacheSize", "40000000"},
    {"/org.openoffice.Office.Common/Cache/GraphicManager", "GraphicAllowedIdleTime", "1"},
    // Asian text that carries no language of its own is Simplified Chinese.
    {"/org.openoffice.Office.Linguistic/General", "DefaultLocale_CJK", "zh-CN"},
};

std::string registry_modifications() {
    std::ostringstream xcu;
    xcu << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
           "<oor:items xmlns:oor=\"http://openoffice.org/2001/registry\" "
           "xmlns:xs=\"http://www.w3.org/2001/XMLSchema\" "
           "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">\n";
    for (const auto& setting : profile_settings) {
        xcu << "<item oor:path=\"" << setting.path << "\"><prop oor:name=\"" << setting.name
            << "\" oor:op=\"fuse\"><value>" << setting.value << "</value></prop></item>\n";
    }
    xcu << "</oor:items>\n";
    return xcu.str();
}

// ---------------------------------------------------------------------------------------------
// Small helpers.

/// A file:// URL for an absolute path, every byte outside the unreserved set percent-encoded
/// (LibreOffice reads URLs as UTF-8).
std::string file_url(const fs::path& path) {
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string url = "file://";
    for (unsigned char c : fs::absolute(path).lexically_normal().string()) {
        const bool plain = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                           c == '/' || c == '-' || c == '_' || c == '.' || c == '~';
        if (plain) {
            url += static_cast<char>(c);
        } else {
            url += '%';
            url += hex[c >> 4];
            url += hex[c & 0x0F];
        }
    }
    return url;
}

/// Writes `content` to `path` through a temporary file and a rename, so a reader (LibreOffice,
/// fontconfig) never sees half a file. Throws EnvironmentError.
void write_file_atomically(const fs::path& path, std::string_view content) {
    const fs::path temp = path.string() + ".tmp-" + std::to_string(::getpid());
    {
        std::ofstream out(temp, std::ios::binary | std::ios::trunc);
        out.write(content.data(), static_cast<std::streamsize>(content.size()));
        out.close();
        if (!out) throw EnvironmentError("cannot write " + temp.string());
    }
    std::error_code ec;
    fs::rename(temp, path, ec);
    if (ec) {
        fs::remove(temp, ec);
        throw EnvironmentError("cannot write " + path.string() + ": " + ec.message());
    }
}

void make_directories(const fs::path& dir) {
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) throw EnvironmentError("cannot create " + dir.string() + ": " + ec.message());
}

/// The extension LibreOffice's type detection should see for a document of `format`: the format
/// itself when it is a plain word (docx, xls, ...), else the input's own extension.
std::string extension_for(std::string_view format, const fs::path& input) {
    const bool plain_word =
        !format.empty() && format.size() <= 8 &&
        format.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789") == std::string_view::npos;
    if (plain_word) return std::string(format);
    std::string ext = input.extension().string();
    if (!ext.empty()) ext.erase(0, 1);
    return ext;
}

/// The name the document is opened under: the uploader's file name (documents show it in
/// file-name fields and headers), made safe as one path component, at most about 120 bytes, with
/// `ext` as its extension.
std::string link_name_for(std::string_view display_name, const std::string& ext) {
    constexpr std::size_t max_stem_bytes = 120;
    std::string stem = fs::path(std::string(display_name)).filename().string();
    const std::size_t dot = stem.rfind('.');
    if (dot != std::string::npos && dot > 0) stem.erase(dot);
    for (char& c : stem) {
        const auto byte = static_cast<unsigned char>(c);
        if (byte < 0x20 || byte == 0x7F || c == '/' || c == '\\') c = '_';
    }
    if (stem.size() > max_stem_bytes) {
        std::size_t cut = max_stem_bytes;
        // Never cut a UTF-8 sequence: back up to the start of the character at the cut.
        while (cut > 0 && (static_cast<unsigned char>(stem[cut]) & 0xC0) == 0x80) --cut;
        stem.erase(cut);
    }
    if (stem.empty() || stem == "." || stem == "..") stem = "document";
    return ext.empty() ? stem : stem + "." + ext;
}

bool starts_with_pdf_header(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    char head[5] = {};
    in.read(head, 5);
    return in.gcount() == 5 && std::memcmp(head, "%PDF-", 5) == 0;
}

/// Pages of the PDF at `file`, or nullopt when MuPDF cannot open it.
std::optional<int> count_pdf_pages(const fs::path& file) {
    MupdfContext mu(page_count_memory_bytes);
    const std::string path = file.string();
    fz_document* doc = nullptr;
    int pages = -1;
    const auto error = mu.attempt([&](fz_context* ctx) {
        doc = fz_open_document(ctx, path.c_str());
        pages = fz_count_pages(ctx, doc);
    });
    if (doc != nullptr) mu.attempt([&](fz_context* ctx) { fz_drop_document(ctx, doc); });
    if (error || pages < 0) return std::nullopt;
    return pages;
}

// ---------------------------------------------------------------------------------------------
// The LibreOfficeKit instance of this process.

class OfficeSession {
  public:
    /// The process's session, started on the first call. Throws EnvironmentError when it cannot
    /// start (then and on every later call: LibreOfficeKit cannot be initialised twice).
    static OfficeSession& get(const OfficeOptions& options);

    void convert(const fs::path& input, std::string_view format, std::string_view display_name,
                 const fs::path& pdf_out, Paper paper);

  private:
    explicit OfficeSession(const OfficeOptions& options);
    static void on_callback(int type, const char* payload, void* data);
    // LibreOffice 7.4's static destructors read freed memory (valgrind shows SdrItemPool's
    // defaults released after the numbering provider they point to), which aborts the process
    // at exit after a mix of Writer and Impress documents. So once LibreOffice runs, exit()
    // flushes stdio and ends the process with _exit(status) before any of them runs.
    static void end_process_without_teardown(int status, void* unused);
    /// Registers end_process_without_teardown again, ahead of the statics created so far.
    static void arm_exit_guard();

    /// Loads the document at `url`, with `paper` as the default page size; returns null when
    /// LibreOffice refused it.
    LibreOfficeKitDocument* load(const std::string& url, Paper paper);
    std::string last_error();

    OfficeOptions options_;
    LibreOfficeKit* kit_ = nullptr;
    std::mutex convert_mutex_;  // LibreOfficeKit loads and saves one document at a time
    std::atomic<bool> password_requested_{false};
    std::string loading_url_;  // the document being loaded, as passed to documentLoadWithOptions
    unsigned long job_counter_ = 0;
};

std::atomic<OfficeSession*> running_session{nullptr};

OfficeSession& OfficeSession::get(const OfficeOptions& options) {
    static std::mutex start_mutex;
    static std::string start_failure;
    std::lock_guard lock(start_mutex);
    if (OfficeSession* session = running_session.load()) return *session;
    if (!start_failure.empty()) throw EnvironmentError(start_failure);
    try {
        // Never deleted: LibreOffice's threads live until the process exits.
        running_session = new OfficeSession(options);
    } catch (const std::exception& e) {
        start_failure = e.what();
        throw;
    }
    return *running_session.load();
}

OfficeSession::OfficeSession(const OfficeOptions& options) : options_(options) {
    if (options_.profile_dir.empty())
        throw EnvironmentError("LibreOffice needs a profile folder; none was given");
    options_.profile_dir = fs::absolute(options_.profile_dir).lexically_normal();
    const fs::path& profile = options_.profile_dir;

    // The profile: LibreOffice reads <UserInstallation>/user/registrymodifications.xcu. It is
    // written afresh at every start so that nothing a previous run saved can loosen it.
    make_directories(profile / "user");
    // Job folders a killed predecessor left behind (this profile belongs to this worker alone).
    std::error_code ignored;
    fs::remove_all(profile / "jobs", ignored);
    write_file_atomically(profile / "user" / "registrymodifications.xcu", registry_modifications());

    // Fonts: fontconfig reads FONTCONFIG_FILE once, when LibreOffice first initialises it.
    make_directories(profile / "fontconfig" / "cache");
    const char* inherited = std::getenv("FONTCONFIG_FILE");
    const fs::path system_config =
        inherited != nullptr && *inherited != '\0' ? fs::path(inherited) : fs::path("/etc/fonts/fonts.conf");
    const fs::path fonts_conf = profile / "fontconfig" / "fonts.conf";
    if (system_config != fonts_conf) {
        write_file_atomically(fonts_conf, office_fontconfig(system_config, profile / "fontconfig" / "cache"));
    }
    ::setenv("FONTCONFIG_FILE", fonts_conf.c_str(), 1);
    // LibreOffice honours this before reading the profile: no OpenCL driver probing at start.
    ::setenv("SAL_DISABLE_OPENCL", "1", 0);
    // LibreOffice's dconf configuration layer opens the user's dconf database under
    // $XDG_RUNTIME_DIR (else ~/.cache, read-only in the sandbox, which prints a critical warning
    // for every worker): it gets an empty folder of the profile's.
    const fs::path runtime = profile / "runtime";
    fs::create_directories(runtime);
    fs::permissions(runtime, fs::perms::owner_all, fs::perm_options::replace);
    ::setenv("XDG_RUNTIME_DIR", runtime.c_str(), 1);

    if (!fs::exists(options_.install_dir)) {
        throw EnvironmentError("LibreOffice is not installed: " + options_.install_dir.string() +
                               " does not exist (install libreoffice-core, -writer, -calc and -impress)");
    }
    kit_ = lok_init_2(options_.install_dir.c_str(), file_url(profile).c_str());
    if (kit_ == nullptr) {
        throw EnvironmentError("LibreOffice (LibreOfficeKit in " + options_.install_dir.string() +
                               ") did not start; its messages are on the worker's stderr");
    }
    // A password prompt is answered (with no password) from the callback, so a protected
    // document fails at once instead of waiting for an answer that never comes.
    kit_->pClass->registerCallback(kit_, &OfficeSession::on_callback, this);
    kit_->pClass->setOptionalFeatures(kit_, LOK_FEATURE_DOCUMENT_PASSWORD);
    arm_exit_guard();
}

void OfficeSession::end_process_without_teardown(int status, void*) {
    std::fflush(nullptr);
    ::_exit(status);
}

void OfficeSession::arm_exit_guard() {
    // on_exit() handlers run last-registered first, so one registered now runs before the
    // destructors of every static LibreOffice has created so far.
    ::on_exit(&OfficeSession::end_process_without_teardown, nullptr);
}

void OfficeSession::on_callback(int type, const char* payload, void* data) {
    auto* self = static_cast<OfficeSession*>(data);
    if (type == LOK_CALLBACK_DOCUMENT_PASSWORD) {
        // Runs on the loading thread, which then waits for setDocumentPassword; a null password
        // makes LibreOffice abort the load. The answer must name the URL the load was started
        // with (LibreOffice looks its prompt up by it, and dereferences a failed lookup); the
        // payload is not always that URL (Word's filter sends the bare file name).
        (void)payload;
        self->password_requested_ = true;
        self->kit_->pClass->setDocumentPassword(self->kit_, self->loading_url_.c_str(), nullptr);
    }
}

std::string OfficeSession::last_error() {
    char* raw = kit_->pClass->getError(kit_);
    if (raw == nullptr) return {};
    std::string message(raw);
    kit_->pClass->freeError(raw);
    return message;
}

LibreOfficeKitDocument* OfficeSession::load(const std::string& url, Paper paper) {
    // Options LibreOfficeKit consumes itself (desktop/source/lib/init.cxx): Batch makes every
    // dialog cancel silently; MacroSecurityLevel replaces LibreOfficeKit's own default of 1
    // ("medium") for the session; EnableMacrosExecution is left out, so the document is loaded
    // with MacroExecMode NEVER_EXECUTE. Language sets LibreOffice's locale (ooSetupSystemLocale)
    // before each load, and its country is where LibreOffice takes the default paper from
    // (PaperInfo::getSystemDefaultPaper: US and a few others Letter, the rest A4; LibreOfficeKit
    // otherwise fixes en-US, so Letter, whatever LC_PAPER says). A4 comes with zh-CN, the locale of
    // a Chinese library: cells and fields without a format of their own show dates the Chinese way
    // (2020-1-1); numbers look the same as in en-US. Nothing remains for the import filter.
    loading_url_ = url;
    const char* load_options = paper == Paper::letter ? "Batch=true,MacroSecurityLevel=3,Language=en-US"
                                                      : "Batch=true,MacroSecurityLevel=3,Language=zh-CN";
    return kit_->pClass->documentLoadWithOptions(kit_, loading_url_.c_str(), load_options);
}

void OfficeSession::convert(const fs::path& input, std::string_view format, std::string_view display_name,
                            const fs::path& pdf_out, Paper paper) {
    const std::string name(display_name);
    if (format == "epub") {
        // LibreOffice 7.4 exports EPUB but has no import filter for it (its e-book importer,
        // libe-book, reads FictionBook2, PalmDoc and the like): it would only fail to load.
        throw InputError(error_code::unsupported, name + " is an EPUB book, which LibreOffice cannot open");
    }
    std::lock_guard lock(convert_mutex_);
    // Whatever this conversion made LibreOffice create statically must not be torn down either.
    struct ExitGuardRearm {
        ~ExitGuardRearm() { arm_exit_guard(); }
    } rearm;

    if (!fs::is_regular_file(input)) throw EnvironmentError("cannot read " + input.string() + ": not a file");
    // The document is opened through a link in a private folder, named like the uploader's file
    // but with the detected format's extension: type detection then does not depend on the
    // stored name (blob names have none), file-name fields show the name the user knows, and
    // anything LibreOffice writes beside the document stays in that folder.
    const fs::path job_dir =
        options_.profile_dir / "jobs" / (std::to_string(::getpid()) + "-" + std::to_string(++job_counter_));
    std::error_code ec;
    fs::remove_all(job_dir, ec);
    make_directories(job_dir);
    struct JobDirCleanup {
        fs::path dir;
        ~JobDirCleanup() {
            std::error_code ignored;
            fs::remove_all(dir, ignored);
        }
    } cleanup{job_dir};
    const fs::path source = job_dir / link_name_for(display_name, extension_for(format, input));
    fs::create_symlink(fs::absolute(input), source, ec);
    if (ec)
        throw EnvironmentError("cannot link " + input.string() + " into " + job_dir.string() + ": " +
                               ec.message());

    password_requested_ = false;
    LibreOfficeKitDocument* doc = load(file_url(source), paper);
    if (doc == nullptr) {
        if (password_requested_) throw InputError(error_code::encrypted, name + " is password-protected");
        std::string reason = last_error();
        if (reason.empty()) reason = "no reason given";
        throw InputError(error_code::corrupt, name + " could not be opened by LibreOffice: " + reason);
    }
    struct DocumentCloser {
        LibreOfficeKitDocument* doc;
        ~DocumentCloser() { doc->pClass->destroy(doc); }
    } closer{doc};

    // Export to a temporary file beside the target; only a checked PDF is renamed into place.
    make_directories(pdf_out.parent_path().empty() ? fs::path(".") : pdf_out.parent_path());
    const fs::path partial = pdf_out.parent_path() / ("." + pdf_out.filename().string() + ".partial-" +
                                                      std::to_string(::getpid()) + ".pdf");
    struct PartialRemover {
        fs::path file;
        ~PartialRemover() {
            std::error_code ignored;
            fs::remove(file, ignored);
        }
    } remover{partial};
    fs::remove(partial, ec);

    // writer/calc/impress_pdf_Export with LibreOffice's defaults (those the reference conversions
    // used: fonts embedded as subsets, text extractable, every sheet, one slide per page, no
    // notes pages or hidden slides), stated explicitly, plus the 14 standard fonts embedded too,
    // so the PDF does not depend on the fonts of whoever reads it. The PDF filter of 7.4 reads
    // filter data given as JSON in the filter options (checked: SinglePageSheets=true does turn
    // a 6-page workbook into one page per sheet). LibreOfficeKit splits the options at commas
    // and joins them again with ", ", which leaves this JSON intact (no value holds a comma).
    // ExportNotes is stated because under LibreOfficeKit the export otherwise adds every comment,
    // shown or hidden, as a PDF note: its text rides along in the file and MuPDF draws a note icon
    // beside each commented cell, neither of which LibreOffice's own conversion does.
    static constexpr const char* pdf_options =
        "{\"EmbedStandardFonts\":{\"type\":\"boolean\",\"value\":\"true\"},"
        "\"ExportNotes\":{\"type\":\"boolean\",\"value\":\"false\"},"
        "\"ExportNotesPages\":{\"type\":\"boolean\",\"value\":\"false\"},"
        "\"ExportHiddenSlides\":{\"type\":\"boolean\",\"value\":\"false\"},"
        "\"SinglePageSheets\":{\"type\":\"boolean\",\"value\":\"false\"}}";
    const std::string partial_url = file_url(partial);
    if (!doc->pClass->saveAs(doc, partial_url.c_str(), "pdf", pdf_options)) {
        std::string reason = last_error();
        if (reason.empty()) reason = "no reason given";
        throw InputError(error_code::corrupt,
                         name + " could not be converted to PDF by LibreOffice: " + reason);
    }
    if (!fs::exists(partial) || !starts_with_pdf_header(partial)) {
        throw InputError(error_code::corrupt,
                         name + " could not be converted to PDF by LibreOffice: it wrote no PDF");
    }
    const std::optional<int> pages = count_pdf_pages(partial);
    if (!pages) {
        throw InputError(
            error_code::corrupt,
            name + " could not be converted to PDF by LibreOffice: the PDF it wrote is unreadable");
    }
    if (*pages == 0) throw InputError(error_code::empty, name + " has no pages");
    fs::rename(partial, pdf_out, ec);
    if (ec) throw EnvironmentError("cannot write " + pdf_out.string() + ": " + ec.message());
}

}  // namespace

Paper paper_from_setting(std::string_view setting) { return setting == "letter" ? Paper::letter : Paper::a4; }

void prepare_office(const OfficeOptions& options) { OfficeSession::get(options); }

void office_to_pdf(const fs::path& input, std::string_view format, std::string_view display_name,
                   const fs::path& pdf_out, const OfficeOptions& options, Paper paper) {
    OfficeSession::get(options).convert(input, format, display_name, pdf_out, paper);
}

}  // namespace wenku::worker
