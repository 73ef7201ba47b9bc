#pragma once
// Streaming detection of XML constructs that make parsers expand entities or fetch external
// resources (private to container.cpp). Not an XML parser: it narrows the byte stream to ASCII in
// whatever Unicode encoding-form the document starts in (UTF-8 and other ASCII-compatible
// encodings, UTF-16 or UTF-32 in either byte order) and looks for "<!DOCTYPE" and "<!ENTITY"
// (case-insensitively), so nothing is ever expanded. Memory is bounded (a few KiB carried between
// pieces), work is linear in the input.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace wenku::worker::zip {

struct XmlHazard {
    enum class Kind {
        none,
        doctype,          // a document type declaration (with an internal subset, or where none belongs)
        entity,           // an entity declaration
        external_dtd,     // a DTD loaded from somewhere that is not a well-known public DTD
        hidden_encoding,  // an encoding that would hide markup from this scan (UTF-7, EBCDIC, ...)
        external_schema,  // an embedded XML Schema that loads another schema (schemaLocation)
    };
    Kind kind = Kind::none;
    std::string detail;  // the DTD's system identifier, the encoding name, the schema location
};

struct XmlScanPolicy {
    /// Allow a DOCTYPE without internal subset that names no DTD or a well-known public one
    /// (W3C XHTML/SVG/MathML, DAISY NCX, IDPF/OEB): EPUB content, SVG and HTML parts. Otherwise any
    /// DOCTYPE is a hazard (legitimate Office XML never has one).
    bool allow_public_doctype = false;
    /// Treat `schemaLocation` attributes as hazards (Excel XML maps embed schemas a reader may load).
    bool forbid_schema_location = false;
};

class XmlHazardScanner {
  public:
    /// `keep_bytes`: how many leading characters (narrowed to ASCII, others as 0x80) kept() holds.
    explicit XmlHazardScanner(XmlScanPolicy policy, std::size_t keep_bytes = 0);

    /// Scans the next piece of the document. Returns false once a hazard has been found (feeding
    /// more changes nothing).
    bool feed(std::string_view piece);

    /// Ends the document and judges whatever was still undecided at its end.
    void finish();

    /// The first hazard found, or Kind::none.
    const XmlHazard& hazard() const { return hazard_; }

    /// True once the first non-whitespace character has been seen and is '<'; false while none
    /// has (or when it is something else): binary data is no markup.
    bool looks_like_markup() const { return seen_content_ && first_char_ == '<'; }
    /// True once at least one non-whitespace character has been seen.
    bool seen_content() const { return seen_content_; }

    /// The leading characters of the document, narrowed (see keep_bytes).
    const std::string& kept() const { return kept_; }

  private:
    enum class Form { undecided, bytes, utf16le, utf16be, utf32le, utf32be };

    void decide_form();
    void narrow(std::string_view raw);
    void scan(bool at_end);
    void check_declaration(bool at_end);
    bool judge_doctype(std::string_view declaration);
    void report(XmlHazard::Kind kind, std::string detail = {});

    XmlScanPolicy policy_;
    std::size_t keep_bytes_;
    Form form_ = Form::undecided;
    std::string raw_pending_;  // bytes before the form is decided, or a partial code unit
    std::string window_;       // narrowed characters: a short tail already judged, then the rest
    std::size_t resume_ = 0;   // where in window_ the search for markup resumes (before: judged)
    std::string head_;         // first narrowed characters, for the XML declaration
    bool declaration_checked_ = false;
    bool seen_content_ = false;
    char first_char_ = 0;
    std::string kept_;
    XmlHazard hazard_;
};

}  // namespace wenku::worker::zip
