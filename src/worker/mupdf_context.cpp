#include "worker/mupdf_context.h"

#include <fcntl.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>

#include <mupdf/ucdn.h>

#include "core/conversion.h"
#include "core/errors.h"

namespace wenku::worker {

namespace {

constexpr std::size_t max_messages = 200;
constexpr std::size_t mib = std::size_t{1} << 20;

// Where Debian's fonts-noto-cjk puts the collections. Face order inside each collection:
// 0 JP, 1 KR, 2 SC, 3 TC, 4 HK (checked with fc-query).
constexpr const char* noto_sans_cjk_path = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc";
constexpr const char* noto_serif_cjk_path = "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc";

struct MappedFile {
    const unsigned char* data = nullptr;
    std::size_t size = 0;
};

// Maps a font file read-only for the life of the process (the page cache is shared between
// contexts and with other processes; nothing is copied into MuPDF's capped heap). Returns null
// when the file is missing or unreadable. Never throws: it is called from inside MuPDF.
const MappedFile* map_font_file(const char* path) noexcept {
    static std::mutex mutex;
    static std::map<std::string, MappedFile>* files = nullptr;
    try {
        std::lock_guard lock(mutex);
        if (!files) files = new std::map<std::string, MappedFile>();  // lives as long as the mappings
        auto found = files->find(path);
        if (found != files->end()) return found->second.data ? &found->second : nullptr;
        MappedFile mapped;
        const int fd = ::open(path, O_RDONLY | O_CLOEXEC);
        if (fd >= 0) {
            struct stat st {};
            if (::fstat(fd, &st) == 0 && st.st_size > 0 && st.st_size < INT_MAX) {
                void* data =
                    ::mmap(nullptr, static_cast<std::size_t>(st.st_size), PROT_READ, MAP_PRIVATE, fd, 0);
                if (data != MAP_FAILED) {
                    mapped.data = static_cast<const unsigned char*>(data);
                    mapped.size = static_cast<std::size_t>(st.st_size);
                }
            }
            ::close(fd);
        }
        auto& entry = (*files)[path] = mapped;
        return entry.data ? &entry : nullptr;
    } catch (...) {
        return nullptr;
    }
}

// Makes a MuPDF font of face `index` in the mapped collection, or returns null when MuPDF fails.
// Kept apart from its callers so nothing but the arguments lives across the fz_try.
[[gnu::noinline]] fz_font* new_cjk_font(fz_context* ctx, const MappedFile* file, int index, int ordering,
                                        bool serif) {
    fz_font* font = nullptr;
    fz_var(font);
    fz_try(ctx) {
        font = fz_new_font_from_memory(ctx, nullptr, file->data, static_cast<int>(file->size), index, 0);
        fz_font_flags_t* flags = fz_font_flags(font);
        flags->is_serif = serif ? 1 : 0;
        // Marks the face as a CJK font of this ordering: the PDF writer then references it by
        // ordering (Adobe-GB1 and friends) instead of embedding a 20 MB collection.
        flags->cjk = 1;
        flags->cjk_lang = static_cast<unsigned int>(ordering) & 3u;
    }
    fz_catch(ctx) { font = nullptr; }
    return font;
}

// Loads the Noto CJK face for `ordering`, or returns null (MuPDF then uses its built-in font).
fz_font* load_noto_cjk(fz_context* ctx, int ordering, bool serif) {
    const CjkFace face = noto_cjk_face(ordering, serif);
    const MappedFile* file = map_font_file(face.path);
    if (!file) return nullptr;
    return new_cjk_font(ctx, file, face.index, ordering, serif);
}

// MuPDF hook for fonts a PDF names but does not embed: nothing for non-CJK names (MuPDF's
// built-in base-14 substitutes are right for those).
fz_font* load_system_font(fz_context*, const char*, int, int, int) { return nullptr; }

bool contains_ascii_ci(const char* haystack, const char* needle) {
    if (!haystack) return false;
    const std::size_t n = std::strlen(needle);
    for (const char* p = haystack; *p; ++p) {
        if (strncasecmp(p, needle, n) == 0) return true;
    }
    return false;
}

// MuPDF hook for non-embedded CJK fonts in PDFs. The descriptor's serif flag is often wrong in
// Chinese PDFs, so well-known sans names (黑体 = SimHei, Gothic, ...) win over it.
fz_font* load_system_cjk_font(fz_context* ctx, const char* name, int ordering, int serif) {
    bool want_serif = serif != 0;
    for (const char* sans : {"hei", "gothic", "sans", "gulim", "dotum", "yahei", "arial"}) {
        if (contains_ascii_ci(name, sans)) want_serif = false;
    }
    for (const char* serif_name : {"song", "ming", "mincho", "serif", "fang", "kai", "batang"}) {
        if (contains_ascii_ci(name, serif_name)) want_serif = true;
    }
    return load_noto_cjk(ctx, ordering, want_serif);
}

// MuPDF hook for characters the chosen font lacks (HTML layout): Han, kana, Hangul and Bopomofo
// come from Noto CJK in the ordering the text's language asks for, Simplified Chinese by default.
fz_font* load_fallback_font(fz_context* ctx, int script, int language, int serif, int, int) {
    int ordering = FZ_ADOBE_GB;
    switch (script) {
        case UCDN_SCRIPT_HIRAGANA:
        case UCDN_SCRIPT_KATAKANA:
            ordering = FZ_ADOBE_JAPAN;
            break;
        case UCDN_SCRIPT_HANGUL:
            ordering = FZ_ADOBE_KOREA;
            break;
        case UCDN_SCRIPT_BOPOMOFO:
            ordering = FZ_ADOBE_CNS;
            break;
        case UCDN_SCRIPT_HAN:
            if (language == FZ_LANG_ja)
                ordering = FZ_ADOBE_JAPAN;
            else if (language == FZ_LANG_ko)
                ordering = FZ_ADOBE_KOREA;
            else if (language == FZ_LANG_zh_Hant)
                ordering = FZ_ADOBE_CNS;
            break;
        default:
            return nullptr;
    }
    return load_noto_cjk(ctx, ordering, serif != 0);
}

}  // namespace

CjkFace noto_cjk_face(int ordering, bool serif) {
    int index = 2;  // SC
    switch (ordering) {
        case FZ_ADOBE_JAPAN:
            index = 0;
            break;
        case FZ_ADOBE_KOREA:
            index = 1;
            break;
        case FZ_ADOBE_CNS:
            index = 3;
            break;
        default:
            break;
    }
    return CjkFace{serif ? noto_serif_cjk_path : noto_sans_cjk_path, index};
}

struct MupdfContext::State {
    fz_alloc_context alloc{};
    std::size_t limit = 0;
    std::size_t live = 0;
    std::size_t peak = 0;
    std::size_t refused = 0;
    std::size_t errors = 0;
    std::size_t memory_errors = 0;
    std::vector<std::string> messages;

    // Every block carries its size in a header so frees and reallocs are counted exactly.
    static constexpr std::size_t header_size = alignof(std::max_align_t);

    static std::size_t stored_size(void* block) {
        std::size_t size = 0;
        std::memcpy(&size, block, sizeof size);
        return size;
    }

    bool fits(std::size_t extra) {
        if (extra > limit - live || extra > SIZE_MAX - header_size) {
            ++refused;
            return false;
        }
        return true;
    }

    void grew(std::size_t extra) {
        live += extra;
        peak = std::max(peak, live);
    }

    static void* malloc_capped(void* user, std::size_t size) {
        auto* state = static_cast<State*>(user);
        if (!state->fits(size)) return nullptr;
        void* block = std::malloc(size + header_size);
        if (!block) return nullptr;
        std::memcpy(block, &size, sizeof size);
        state->grew(size);
        return static_cast<char*>(block) + header_size;
    }

    static void free_capped(void* user, void* p) {
        if (!p) return;
        auto* state = static_cast<State*>(user);
        void* block = static_cast<char*>(p) - header_size;
        state->live -= stored_size(block);
        std::free(block);
    }

    static void* realloc_capped(void* user, void* old, std::size_t size) {
        if (!old) return malloc_capped(user, size);
        if (size == 0) {
            free_capped(user, old);
            return nullptr;
        }
        auto* state = static_cast<State*>(user);
        void* block = static_cast<char*>(old) - header_size;
        const std::size_t old_size = stored_size(block);
        if (size > old_size && !state->fits(size - old_size)) return nullptr;
        void* moved = std::realloc(block, size + header_size);
        if (!moved) return nullptr;  // the old block stays valid and counted
        std::memcpy(moved, &size, sizeof size);
        state->live -= old_size;
        state->grew(size);
        return static_cast<char*>(moved) + header_size;
    }

    void remember(const char* kind, const char* message) noexcept {
        try {
            if (messages.size() >= max_messages) return;
            std::string line = std::string(kind) + (message ? message : "");
            if (!messages.empty() && messages.back() == line) return;
            messages.push_back(std::move(line));
        } catch (...) {
            // Out of memory while recording a diagnostic: drop the diagnostic.
        }
    }

    static void on_warning(void* user, const char* message) {
        static_cast<State*>(user)->remember("warning: ", message);
    }

    // MuPDF's words for an allocation that failed: "malloc of N bytes failed",
    // "malloc (N bytes) failed", "calloc (N x M bytes) failed", "realloc ...", "out of memory".
    static bool is_memory_message(const char* message) {
        if (!message) return false;
        const bool allocator = std::strstr(message, "malloc") || std::strstr(message, "calloc") ||
                               std::strstr(message, "realloc");
        return (allocator && std::strstr(message, "failed")) || std::strstr(message, "out of memory");
    }

    static void on_error(void* user, const char* message) {
        auto* state = static_cast<State*>(user);
        ++state->errors;
        if (is_memory_message(message)) ++state->memory_errors;
        state->remember("error: ", message);
    }
};

MupdfContext::MupdfContext(std::size_t memory_limit_bytes) : state_(std::make_unique<State>()) {
    state_->limit = memory_limit_bytes;
    state_->alloc.user = state_.get();
    state_->alloc.malloc = &State::malloc_capped;
    state_->alloc.realloc = &State::realloc_capped;
    state_->alloc.free = &State::free_capped;
    // The resource store (fonts, decoded images) gets a quarter of the cap; MuPDF also evicts from
    // it whenever an allocation is refused.
    const std::size_t store = std::min<std::size_t>(FZ_STORE_DEFAULT, memory_limit_bytes / 4);
    ctx_ = fz_new_context(&state_->alloc, nullptr, store);
    if (!ctx_) {
        throw InputError(error_code::too_large, "the renderer could not start within its memory limit of " +
                                                    std::to_string(memory_limit_bytes / mib) + " MiB");
    }
    fz_set_warning_callback(ctx_, &State::on_warning, state_.get());
    fz_set_error_callback(ctx_, &State::on_error, state_.get());
    fz_install_load_system_font_funcs(ctx_, &load_system_font, &load_system_cjk_font, &load_fallback_font);
    if (auto error = attempt([](fz_context* ctx) { fz_register_document_handlers(ctx); })) {
        fz_drop_context(ctx_);
        throw InputError(error_code::too_large,
                         "the renderer could not start within its memory limit: " + error->message);
    }
}

MupdfContext::~MupdfContext() { fz_drop_context(ctx_); }

std::size_t MupdfContext::memory_limit() const { return state_->limit; }
std::size_t MupdfContext::peak_bytes() const { return state_->peak; }
std::size_t MupdfContext::refused_allocations() const { return state_->refused; }
const std::vector<std::string>& MupdfContext::messages() const { return state_->messages; }
std::size_t MupdfContext::error_count() const { return state_->errors; }
std::size_t MupdfContext::memory_error_count() const { return state_->memory_errors; }

std::optional<MupdfError> MupdfContext::attempt_impl(void (*body)(fz_context*, void*), void* arg) {
    fz_try(ctx_) { body(ctx_, arg); }
    fz_catch(ctx_) { return MupdfError{fz_caught(ctx_), fz_caught_message(ctx_)}; }
    return std::nullopt;
}

bool is_out_of_memory(const MupdfError& error) {
    return error.code == FZ_ERROR_MEMORY || error.message.find("malloc") != std::string::npos ||
           error.message.find("out of memory") != std::string::npos;
}

[[noreturn]] void throw_too_large(std::size_t limit_bytes, const std::string& name) {
    // "1536 MiB", or KiB for limits under a mebibyte.
    const std::string limit = limit_bytes < mib ? std::to_string(limit_bytes >> 10) + " KiB"
                                                : std::to_string(limit_bytes / mib) + " MiB";
    throw InputError(error_code::too_large, name + " needs more than " + limit + " to render");
}

[[noreturn]] void throw_too_large(const MupdfContext& mu, const std::string& name) {
    throw_too_large(mu.memory_limit(), name);
}

[[noreturn]] void throw_document_error(const MupdfContext& mu, const MupdfError& error,
                                       const std::string& name) {
    if (is_out_of_memory(error) || mu.memory_error_count() > 0) throw_too_large(mu, name);
    throw InputError(error_code::corrupt, name + " is damaged: " + error.message);
}

}  // namespace wenku::worker
