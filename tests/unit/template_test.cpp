// The template language of web/templates: escaping by default, sections, partials, errors; and the
// site's real templates all parse.
#include "web/template.h"

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "core/errors.h"
#include "support/test_support.h"

namespace wenku::web {
namespace {

using nlohmann::json;

std::string render(const std::string& source, const json& ctx) {
    return Template(source, "test").render(ctx);
}

TEST(Template, EscapesValuesByDefault) {
    const json ctx = {{"title", "\"><img src=x onerror=alert(1)> & 'x'"}};
    EXPECT_EQ(render("<p title=\"{{title}}\">{{title}}</p>", ctx),
              "<p title=\"&quot;&gt;&lt;img src=x onerror=alert(1)&gt; &amp; &#39;x&#39;\">"
              "&quot;&gt;&lt;img src=x onerror=alert(1)&gt; &amp; &#39;x&#39;</p>");
    EXPECT_EQ(render("{{{title}}}", {{"title", "<b>ok</b>"}}), "<b>ok</b>");
}

TEST(Template, LooksUpDottedNamesAndOuterFrames) {
    const json ctx = {{"site", {{"name", "文库"}}}, {"items", {{{"n", 1}}, {{"n", 2}}}}, {"sep", "/"}};
    EXPECT_EQ(render("{{site.name}}:{{#items}}{{n}}{{sep}}{{/items}}", ctx), "文库:1/2/");
    EXPECT_EQ(render("[{{missing}}][{{site.missing}}][{{site.name.deeper}}]", ctx), "[][][]");
    EXPECT_EQ(render("{{#items.1}}{{n}}{{/items.1}}|{{#items.5}}x{{/items.5}}", ctx), "2|");
}

TEST(Template, SectionsFollowTruthiness) {
    const json ctx = {{"yes", true},         {"no", false},           {"zero", 0},
                      {"empty", ""},         {"none", json::array()}, {"nil", nullptr},
                      {"obj", {{"a", "A"}}}, {"list", {"x", "y"}},    {"n", 3}};
    EXPECT_EQ(
        render("{{#yes}}Y{{/yes}}{{#no}}N{{/no}}{{#zero}}Z{{/zero}}{{#empty}}E{{/empty}}{{#none}}L{{/none}}"
               "{{#nil}}U{{/nil}}{{#n}}{{n}}{{/n}}",
               ctx),
        "Y3");
    EXPECT_EQ(
        render("{{^no}}a{{/no}}{{^zero}}b{{/zero}}{{^none}}c{{/none}}{{^nil}}d{{/nil}}{{^yes}}e{{/yes}}",
               ctx),
        "abcd");
    EXPECT_EQ(render("{{#obj}}{{a}}{{/obj}}{{#list}}<{{.}}>{{/list}}", ctx), "A<x><y>");
    EXPECT_EQ(render("{{! a note }}x", ctx), "x");
}

TEST(Template, RefusesMalformedTemplatesNamingTheLine) {
    EXPECT_THROW(Template("{{#a}}\n{{/b}}", "bad.html"), UsageError);
    EXPECT_THROW(Template("ok\n{{#open}} never closed", "bad.html"), UsageError);
    EXPECT_THROW(Template("{{unclosed", "bad.html"), UsageError);
    EXPECT_THROW(Template("{{}}", "bad.html"), UsageError);
    try {
        Template("line one\nline two {{/stray}}", "page.html");
        FAIL() << "accepted a stray closing tag";
    } catch (const UsageError& e) {
        EXPECT_NE(std::string(e.what()).find("page.html:2"), std::string::npos) << e.what();
    }
}

TEST(Template, PartialsSeeTheCallersNames) {
    const test::TempDir tmp;
    const auto& dir = tmp.path();
    std::ofstream(dir / "page.html") << "<{{title}}>{{#items}}{{> item}}{{/items}}";
    std::ofstream(dir / "item.html") << "[{{name}}@{{title}}]";
    const TemplateSet set(dir);
    EXPECT_EQ(set.render("page", {{"title", "T"}, {"items", {{{"name", "a"}}, {{"name", "<b>"}}}}}),
              "<T>[a@T][&lt;b&gt;@T]");
    EXPECT_THROW(set.render("nope", json::object()), NotFoundError);
    std::ofstream(dir / "loop.html") << "{{> loop}}";
    EXPECT_THROW(TemplateSet(dir).render("loop", json::object()), UsageError);
}

TEST(Template, TheSitesTemplatesParse) {
    const TemplateSet set(std::filesystem::path(WENKU_SOURCE_DIR) / "web" / "templates");
    for (const char* name : {"home", "document", "search", "category", "reader", "upload", "share", "report",
                             "error", "converting"}) {
        EXPECT_NO_THROW(set.get(name)) << name;
    }
}

}  // namespace
}  // namespace wenku::web
