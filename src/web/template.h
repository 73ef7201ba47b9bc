#pragma once
// HTML templates are files (web/templates/*.html) in a small logic-less language, escaped by
// default:
//   {{name}} {{a.b}}   the value, HTML-escaped (& < > " ' become entities)
//   {{{name}}}         the value unescaped: only for HTML this program built itself (an SVG QR code)
//   {{#name}}…{{/name}} repeated for each element of an array, entered once for an object or a
//                      true value, skipped for null, false, 0, "" and []
//   {{^name}}…{{/name}} rendered only when name is one of those
//   {{list.0}}         an array's first element (to test that a list is not empty)
//   {{.}}              the current element;  {{> other}}  another template of the set;  {{! note }}
// Names are looked up from the innermost section outwards; a missing name renders as nothing.
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace wenku::web {

class TemplateSet;

class Template {
  public:
    /// Parses `source`; throws UsageError naming `name` and the line of a malformed or unclosed tag.
    Template(std::string_view source, const std::string& name);
    ~Template();
    Template(Template&&) noexcept;
    Template& operator=(Template&&) noexcept;

    /// Appends the rendering to `out`; partials come from `set` (none: a partial is an error).
    void render(const nlohmann::json& context, std::string& out, const TemplateSet* set = nullptr) const;
    std::string render(const nlohmann::json& context) const;

    struct Node;
    const std::vector<Node>& nodes() const { return nodes_; }

  private:
    std::string name_;
    std::vector<Node> nodes_;
};

/// Every *.html file of a folder, parsed once, by file name without ".html".
class TemplateSet {
  public:
    /// Throws UsageError for a malformed template, EnvironmentError for an unreadable folder.
    explicit TemplateSet(const std::filesystem::path& dir);
    /// Throws NotFoundError for an unknown template.
    std::string render(const std::string& name, const nlohmann::json& context) const;
    const Template& get(const std::string& name) const;

  private:
    std::map<std::string, Template, std::less<>> templates_;
};

}  // namespace wenku::web
