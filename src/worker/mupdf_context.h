#pragma once
// The MuPDF context one conversion runs in: every allocation counted against a cap, warnings and
// errors collected instead of printed (stdout is the worker's protocol channel), and CJK text drawn
// with the installed Noto CJK faces (Simplified Chinese unless the text says otherwise).
// Internal to src/worker/; nothing outside the worker includes MuPDF.
#include <mupdf/fitz.h>

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

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

/// The path and face index of the Noto CJK face for an Adobe ordering (FZ_ADOBE_GB, ...), in the
/// sans or serif design. FZ_ADOBE_GB maps to "Noto Sans/Serif CJK SC".
struct CjkFace {
    const char* path;
    int index;
};
CjkFace noto_cjk_face(int ordering, bool serif);

}  // namespace wenku::worker
