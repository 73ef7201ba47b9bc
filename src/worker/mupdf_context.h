#pragma once
// The MuPDF context one conversion runs in: every allocation counted against a cap, warnings and
// errors collected instead of printed (stdout is the worker's protocol channel), and CJK text drawn
// with the installed Noto CJK faces (Simplified Chinese unless the text says otherwise); owning
// handles for MuPDF's objects, and MuPDF's failures turned into the errors a user sees.
// Internal to src/worker/; nothing outside the worker includes MuPDF.
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include <mupdf/fitz.h>
#include <mupdf/pdf.h>

namespace wenku::worker {

/// An error MuPDF threw, copied out of its fz_try scope so C++ code can act on it.
struct MupdfError {
    int code = 0;         // FZ_ERROR_*
    std::string message;  // MuPDF's own words, e.g. "cannot find startxref"
};

/// Owns one fz_context. Single-threaded: one conversion, one thread.
class MupdfContext {
  public:
    /// Creates a context whose live allocations never exceed `memory_limit_bytes` (past the cap an
    /// allocation is refused, MuPDF evicts its caches and, failing that, throws FZ_ERROR_MEMORY),
    /// with the document handlers registered and the Noto CJK loaders installed.
    /// Throws InputError(too_large) when not even the context fits in the limit.
    explicit MupdfContext(std::size_t memory_limit_bytes);
    ~MupdfContext();
    MupdfContext(const MupdfContext&) = delete;
    MupdfContext& operator=(const MupdfContext&) = delete;

    fz_context* get() const { return ctx_; }

    std::size_t memory_limit() const;
    /// Highest total of live MuPDF allocations so far.
    std::size_t peak_bytes() const;
    /// How many allocations the cap refused (MuPDF may have recovered from some by evicting).
    std::size_t refused_allocations() const;

    /// Warnings and errors MuPDF reported so far, oldest first; consecutive repeats and anything
    /// past the first 200 are dropped.
    const std::vector<std::string>& messages() const;
    /// How many errors MuPDF has thrown so far, including ones it caught and recovered from.
    std::size_t error_count() const;
    /// How many of those were allocations failing for good (after MuPDF emptied its caches). MuPDF
    /// swallows some of them (an image it could not decode is left out), so callers compare this
    /// count before and after a step to know whether the step's output is complete.
    std::size_t memory_error_count() const;

    /// Runs `body(fz_context*)` inside fz_try and returns what it threw, if anything.
    /// MuPDF unwinds with longjmp, so `body` must only call MuPDF (or plain C) and must not own
    /// objects with destructors; results go out through variables captured by reference.
    template <class Body>
    std::optional<MupdfError> attempt(Body&& body) {
        using BodyType = std::remove_reference_t<Body>;
        return attempt_impl([](fz_context* ctx, void* arg) { (*static_cast<BodyType*>(arg))(ctx); },
                            static_cast<void*>(&body));
    }

  private:
    std::optional<MupdfError> attempt_impl(void (*body)(fz_context*, void*), void* arg);

    struct State;
    std::unique_ptr<State> state_;
    fz_context* ctx_ = nullptr;
};

/// Owns one MuPDF object; dropping never throws.
template <class T, void (*Drop)(fz_context*, T*)>
class FzHandle {
  public:
    explicit FzHandle(fz_context* ctx) : ctx_(ctx) {}
    ~FzHandle() { reset(); }
    FzHandle(const FzHandle&) = delete;
    FzHandle& operator=(const FzHandle&) = delete;
    T* get() const { return ptr_; }
    T*& slot() { return ptr_; }  // for assignment inside MupdfContext::attempt
    void reset() {
        if (ptr_) Drop(ctx_, ptr_);
        ptr_ = nullptr;
    }

  private:
    fz_context* ctx_;
    T* ptr_ = nullptr;
};

using FzDocument = FzHandle<fz_document, fz_drop_document>;
using FzStream = FzHandle<fz_stream, fz_drop_stream>;
using FzPage = FzHandle<fz_page, fz_drop_page>;
using FzDisplayList = FzHandle<fz_display_list, fz_drop_display_list>;
using FzDevice = FzHandle<fz_device, fz_drop_device>;
using FzPixmap = FzHandle<fz_pixmap, fz_drop_pixmap>;
using FzTextPage = FzHandle<fz_stext_page, fz_drop_stext_page>;
using FzBuffer = FzHandle<fz_buffer, fz_drop_buffer>;
using PdfDocument = FzHandle<pdf_document, pdf_drop_document>;
using PdfObject = FzHandle<pdf_obj, pdf_drop_obj>;

/// Whether MuPDF failed for want of memory (its cap, or malloc).
bool is_out_of_memory(const MupdfError& error);

/// Throws InputError too_large: `name` "needs more than <limit> to render".
[[noreturn]] void throw_too_large(std::size_t limit_bytes, const std::string& name);
[[noreturn]] void throw_too_large(const MupdfContext& mu, const std::string& name);

/// Turns an error MuPDF threw while reading document `name` into the InputError a user sees:
/// too_large when memory ran out (now or earlier: an allocation that failed before may be what
/// broke the document's structure), otherwise corrupt with MuPDF's reason.
[[noreturn]] void throw_document_error(const MupdfContext& mu, const MupdfError& error,
                                       const std::string& name);

/// The path and face index of the Noto CJK face for an Adobe ordering (FZ_ADOBE_GB, ...), in the
/// sans or serif design. FZ_ADOBE_GB maps to "Noto Sans/Serif CJK SC".
struct CjkFace {
    const char* path;
    int index;
};
CjkFace noto_cjk_face(int ordering, bool serif);

}  // namespace wenku::worker
