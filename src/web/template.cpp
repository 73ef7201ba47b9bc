#include "web/template.h"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "core/errors.h"
#include "core/markup.h"

namespace wenku::web {
namespace fs = std::filesystem;
using nlohmann::json;

struct Template::Node {
    enum Kind { text, escaped, raw, section, inverted, partial } kind = text;
    std::string value;              // text, or the name
    std::vector<std::string> path;  // the name split at dots ("." = empty path)
    std::vector<Node> children;     // sections
};

namespace {

using Node = Template::Node;

std::vector<std::string> split_path(const std::string& name) {
    std::vector<std::string> parts;
    if (name == ".") return parts;
    std::size_t start = 0;
    while (true) {
        const auto dot = name.find('.', start);
        parts.push_back(name.substr(start, dot - start));
        if (dot == std::string::npos) break;
        start = dot + 1;
    }
    return parts;
}

std::string trim(std::string_view s) {
    const auto b = s.find_first_not_of(" \t\r\n");
    if (b == std::string_view::npos) return "";
    const auto e = s.find_last_not_of(" \t\r\n");
    return std::string(s.substr(b, e - b + 1));
}

class Parser {
  public:
    Parser(std::string_view source, const std::string& name) : src_(source), name_(name) {}

    std::vector<Node> parse() {
        std::vector<Node> nodes = parse_until("");
        return nodes;
    }

  private:
    [[noreturn]] void fail(std::size_t at, const std::string& what) const {
        const auto line = 1 + std::count(src_.begin(), src_.begin() + static_cast<std::ptrdiff_t>(at), '\n');
        throw UsageError("template " + name_ + ":" + std::to_string(line) + ": " + what);
    }

    // Parses nodes until {{/closing}} (or the end when closing is empty).
    std::vector<Node> parse_until(const std::string& closing) {
        std::vector<Node> nodes;
        const std::size_t opened_at = pos_;
        while (pos_ < src_.size()) {
            const auto open = src_.find("{{", pos_);
            if (open == std::string_view::npos) {
                nodes.push_back(Node{Node::text, std::string(src_.substr(pos_)), {}, {}});
                pos_ = src_.size();
                break;
            }
            if (open > pos_)
                nodes.push_back(Node{Node::text, std::string(src_.substr(pos_, open - pos_)), {}, {}});
            const bool triple = src_.compare(open, 3, "{{{") == 0;
            const auto close = src_.find(triple ? "}}}" : "}}", open);
            if (close == std::string_view::npos) fail(open, "unclosed tag");
            const std::string_view inner =
                src_.substr(open + (triple ? 3 : 2), close - open - (triple ? 3 : 2));
            pos_ = close + (triple ? 3 : 2);
            if (triple) {
                const std::string name = trim(inner);
                if (name.empty()) fail(open, "empty tag");
                nodes.push_back(Node{Node::raw, name, split_path(name), {}});
                continue;
            }
            if (inner.empty()) fail(open, "empty tag");
            const char sigil = inner.front();
            const std::string name = trim(inner.substr(
                sigil == '#' || sigil == '^' || sigil == '/' || sigil == '>' || sigil == '!' ? 1 : 0));
            if (sigil == '!') continue;
            if (name.empty()) fail(open, "empty tag");
            if (sigil == '#' || sigil == '^') {
                Node node{sigil == '#' ? Node::section : Node::inverted, name, split_path(name), {}};
                node.children = parse_until(name);
                nodes.push_back(std::move(node));
            } else if (sigil == '/') {
                if (name != closing)
                    fail(open, "{{/" + name + "}} closes nothing open" +
                                   (closing.empty() ? "" : " (open: " + closing + ")"));
                return nodes;
            } else if (sigil == '>') {
                nodes.push_back(Node{Node::partial, name, {}, {}});
            } else {
                nodes.push_back(Node{Node::escaped, name, split_path(name), {}});
            }
        }
        if (!closing.empty()) fail(opened_at, "{{#" + closing + "}} is never closed");
        return nodes;
    }

    std::string_view src_;
    const std::string& name_;
    std::size_t pos_ = 0;
};

using Stack = std::vector<const json*>;

const json* lookup(const Stack& stack, const std::vector<std::string>& path) {
    if (path.empty()) return stack.back();
    for (auto it = stack.rbegin(); it != stack.rend(); ++it) {
        const json& frame = **it;
        if (!frame.is_object()) continue;
        auto found = frame.find(path.front());
        if (found == frame.end()) continue;
        const json* value = &*found;
        for (std::size_t i = 1; i < path.size(); ++i) {
            if (value->is_array()) {  // list.0: the first element
                const std::string& part = path[i];
                if (part.empty() ||
                    !std::all_of(part.begin(), part.end(), [](char c) { return c >= '0' && c <= '9'; }) ||
                    part.size() > 6) {
                    return nullptr;
                }
                const std::size_t index = std::stoul(part);
                if (index >= value->size()) return nullptr;
                value = &(*value)[index];
                continue;
            }
            if (!value->is_object()) return nullptr;
            auto next = value->find(path[i]);
            if (next == value->end()) return nullptr;
            value = &*next;
        }
        return value;
    }
    return nullptr;
}

bool truthy(const json* v) {
    if (!v || v->is_null()) return false;
    if (v->is_boolean()) return v->get<bool>();
    if (v->is_number_integer() || v->is_number_unsigned()) return v->get<long long>() != 0;
    if (v->is_number_float()) return v->get<double>() != 0;
    if (v->is_string()) return !v->get_ref<const std::string&>().empty();
    if (v->is_array()) return !v->empty();
    return true;
}

void append_value(std::string& out, const json* v, bool escape) {
    if (!v || v->is_null()) return;
    if (v->is_string()) {
        const auto& s = v->get_ref<const std::string&>();
        escape ? append_markup_escaped(out, s) : void(out += s);
    } else if (v->is_boolean()) {
        out += v->get<bool>() ? "true" : "false";
    } else if (v->is_number()) {
        out += v->dump();
    } else {
        const std::string s = v->dump();
        escape ? append_markup_escaped(out, s) : void(out += s);
    }
}

void render_nodes(const std::vector<Node>& nodes, Stack& stack, std::string& out, const TemplateSet* set,
                  int depth) {
    for (const Node& node : nodes) {
        switch (node.kind) {
            case Node::text:
                out += node.value;
                break;
            case Node::escaped:
                append_value(out, lookup(stack, node.path), true);
                break;
            case Node::raw:
                append_value(out, lookup(stack, node.path), false);
                break;
            case Node::inverted:
                if (!truthy(lookup(stack, node.path))) render_nodes(node.children, stack, out, set, depth);
                break;
            case Node::section: {
                const json* v = lookup(stack, node.path);
                if (!truthy(v)) break;
                if (v->is_array()) {
                    for (const json& item : *v) {
                        stack.push_back(&item);
                        render_nodes(node.children, stack, out, set, depth);
                        stack.pop_back();
                    }
                } else {
                    stack.push_back(v);
                    render_nodes(node.children, stack, out, set, depth);
                    stack.pop_back();
                }
                break;
            }
            case Node::partial: {
                if (!set) throw UsageError("template partial '" + node.value + "' without a template set");
                if (depth > 16)
                    throw UsageError("template partials nest deeper than 16 ('" + node.value + "')");
                // A partial sees the names its caller sees.
                render_nodes(set->get(node.value).nodes(), stack, out, set, depth + 1);
                break;
            }
        }
    }
}

}  // namespace

Template::Template(std::string_view source, const std::string& name) : name_(name) {
    nodes_ = Parser(source, name).parse();
}
Template::~Template() = default;
Template::Template(Template&&) noexcept = default;
Template& Template::operator=(Template&&) noexcept = default;

void Template::render(const json& context, std::string& out, const TemplateSet* set) const {
    Stack stack{&context};
    render_nodes(nodes_, stack, out, set, 0);
}

std::string Template::render(const json& context) const {
    std::string out;
    render(context, out, nullptr);
    return out;
}

TemplateSet::TemplateSet(const fs::path& dir) {
    std::error_code ec;
    fs::directory_iterator it(dir, ec);
    if (ec) throw EnvironmentError("cannot read templates in " + dir.string() + ": " + ec.message());
    for (const auto& entry : it) {
        if (entry.path().extension() != ".html" || !entry.is_regular_file()) continue;
        std::ifstream in(entry.path(), std::ios::binary);
        std::stringstream buf;
        buf << in.rdbuf();
        if (!in) throw EnvironmentError("cannot read template " + entry.path().string());
        const std::string name = entry.path().stem().string();
        templates_.emplace(name, Template(buf.str(), entry.path().filename().string()));
    }
}

const Template& TemplateSet::get(const std::string& name) const {
    const auto it = templates_.find(name);
    if (it == templates_.end()) throw NotFoundError("no template '" + name + "'");
    return it->second;
}

std::string TemplateSet::render(const std::string& name, const json& context) const {
    std::string out;
    out.reserve(16 * 1024);
    get(name).render(context, out, this);
    return out;
}

}  // namespace wenku::web
