#include "worker/office_fonts.h"

#include <sstream>

#include "core/markup.h"

namespace wenku::worker {
namespace fs = std::filesystem;

namespace {

struct FontAlias {
    const char* family;  // a name documents ask for
    const char* target;  // the installed Noto CJK face that stands in for it
};

constexpr const char* sans_sc = "Noto Sans CJK SC";
constexpr const char* serif_sc = "Noto Serif CJK SC";

// Fonts of Chinese, Japanese and Korean office documents, by the names (English and native)
// Word, WPS and PowerPoint write into them. Ming/Song, Fangsong and Kai designs map to the serif
// face, Hei/Gothic designs to the sans face, each in the orthography the font was made for. The
// table is kept as written, several faces to a line.
// clang-format off
constexpr FontAlias font_aliases[] = {
    // Simplified Chinese, Song/Ming, Fangsong and Kai styles.
    {"SimSun", serif_sc}, {"宋体", serif_sc}, {"NSimSun", serif_sc}, {"新宋体", serif_sc},
    {"SimSun-ExtB", serif_sc}, {"STSong", serif_sc}, {"华文宋体", serif_sc}, {"STZhongsong", serif_sc},
    {"华文中宋", serif_sc}, {"Songti SC", serif_sc}, {"宋体-简", serif_sc}, {"FangSong", serif_sc},
    {"仿宋", serif_sc}, {"FangSong_GB2312", serif_sc}, {"仿宋_GB2312", serif_sc}, {"STFangsong", serif_sc},
    {"华文仿宋", serif_sc}, {"KaiTi", serif_sc}, {"楷体", serif_sc}, {"KaiTi_GB2312", serif_sc},
    {"楷体_GB2312", serif_sc}, {"STKaiti", serif_sc}, {"华文楷体", serif_sc}, {"Kaiti SC", serif_sc},
    {"楷体-简", serif_sc}, {"LiSu", serif_sc}, {"隶书", serif_sc}, {"STLiti", serif_sc}, {"华文隶书", serif_sc},
    {"FZShuSong-Z01", serif_sc}, {"方正书宋_GBK", serif_sc}, {"FZXiaoBiaoSong-B05S", serif_sc},
    {"方正小标宋简体", serif_sc}, {"方正小标宋_GBK", serif_sc}, {"FZFangSong-Z02", serif_sc},
    {"方正仿宋_GBK", serif_sc}, {"方正仿宋简体", serif_sc}, {"FZKai-Z03", serif_sc}, {"方正楷体_GBK", serif_sc},
    {"方正楷体简体", serif_sc}, {"Source Han Serif SC", serif_sc}, {"Source Han Serif CN", serif_sc},
    {"思源宋体", serif_sc}, {"AR PL UMing CN", serif_sc}, {"AR PL UKai CN", serif_sc},
    // Simplified Chinese, Hei (sans) styles.
    {"SimHei", sans_sc}, {"黑体", sans_sc}, {"Microsoft YaHei", sans_sc}, {"微软雅黑", sans_sc},
    {"Microsoft YaHei UI", sans_sc}, {"Microsoft YaHei Light", sans_sc}, {"微软雅黑 Light", sans_sc},
    {"DengXian", sans_sc}, {"等线", sans_sc}, {"DengXian Light", sans_sc}, {"等线 Light", sans_sc},
    {"STHeiti", sans_sc}, {"华文黑体", sans_sc}, {"STXihei", sans_sc}, {"华文细黑", sans_sc},
    {"Heiti SC", sans_sc}, {"黑体-简", sans_sc}, {"PingFang SC", sans_sc}, {"苹方-简", sans_sc},
    {"Hiragino Sans GB", sans_sc}, {"冬青黑体简体中文", sans_sc}, {"Source Han Sans SC", sans_sc},
    {"Source Han Sans CN", sans_sc}, {"思源黑体", sans_sc}, {"FZHei-B01S", sans_sc}, {"方正黑体_GBK", sans_sc},
    {"方正黑体简体", sans_sc}, {"YouYuan", sans_sc}, {"幼圆", sans_sc}, {"WenQuanYi Micro Hei", sans_sc},
    {"文泉驿微米黑", sans_sc}, {"WenQuanYi Zen Hei", sans_sc}, {"文泉驿正黑", sans_sc},
    // Traditional Chinese.
    {"MingLiU", "Noto Serif CJK TC"}, {"細明體", "Noto Serif CJK TC"}, {"PMingLiU", "Noto Serif CJK TC"},
    {"新細明體", "Noto Serif CJK TC"}, {"DFKai-SB", "Noto Serif CJK TC"}, {"標楷體", "Noto Serif CJK TC"},
    {"MingLiU_HKSCS", "Noto Serif CJK HK"}, {"細明體_HKSCS", "Noto Serif CJK HK"},
    {"Microsoft JhengHei", "Noto Sans CJK TC"}, {"微軟正黑體", "Noto Sans CJK TC"},
    {"Microsoft JhengHei UI", "Noto Sans CJK TC"},
    // Japanese.
    {"MS Mincho", "Noto Serif CJK JP"}, {"ＭＳ 明朝", "Noto Serif CJK JP"}, {"MS PMincho", "Noto Serif CJK JP"},
    {"ＭＳ Ｐ明朝", "Noto Serif CJK JP"}, {"Yu Mincho", "Noto Serif CJK JP"}, {"游明朝", "Noto Serif CJK JP"},
    {"MS Gothic", "Noto Sans CJK JP"}, {"ＭＳ ゴシック", "Noto Sans CJK JP"}, {"MS PGothic", "Noto Sans CJK JP"},
    {"ＭＳ Ｐゴシック", "Noto Sans CJK JP"}, {"MS UI Gothic", "Noto Sans CJK JP"}, {"Meiryo", "Noto Sans CJK JP"},
    {"メイリオ", "Noto Sans CJK JP"}, {"Meiryo UI", "Noto Sans CJK JP"}, {"Yu Gothic", "Noto Sans CJK JP"},
    {"游ゴシック", "Noto Sans CJK JP"},
    // Korean.
    {"Batang", "Noto Serif CJK KR"}, {"바탕", "Noto Serif CJK KR"}, {"BatangChe", "Noto Serif CJK KR"},
    {"바탕체", "Noto Serif CJK KR"}, {"Gungsuh", "Noto Serif CJK KR"}, {"궁서", "Noto Serif CJK KR"},
    {"Gulim", "Noto Sans CJK KR"}, {"굴림", "Noto Sans CJK KR"}, {"GulimChe", "Noto Sans CJK KR"},
    {"Dotum", "Noto Sans CJK KR"}, {"돋움", "Noto Sans CJK KR"}, {"DotumChe", "Noto Sans CJK KR"},
    {"Malgun Gothic", "Noto Sans CJK KR"}, {"맑은 고딕", "Noto Sans CJK KR"},
};
// clang-format on

// Language tags under which Han characters should keep another orthography's glyph shapes.
constexpr const char* non_sc_languages[] = {"ja", "ko", "zh-tw", "zh-hk", "zh-mo"};

// Tests that hold when the pattern's language is not one of non_sc_languages (also when it has
// no language at all: qual="all" over no values is true).
std::string not_other_cjk_language_tests() {
    std::string tests;
    for (const char* lang : non_sc_languages) {
        tests += "    <test qual=\"all\" name=\"lang\" compare=\"not_contains\"><string>";
        tests += lang;
        tests += "</string></test>\n";
    }
    return tests;
}

}  // namespace

std::string office_fontconfig(const fs::path& system_config, const fs::path& cache_dir) {
    std::ostringstream conf;
    conf << "<?xml version=\"1.0\"?>\n"
            "<!DOCTYPE fontconfig SYSTEM \"urn:fontconfig:fonts.dtd\">\n"
            "<!-- Written by wenku for the LibreOffice in its converter worker. -->\n"
            "<fontconfig>\n"
            "  <include ignore_missing=\"yes\">"
         << markup_escape(system_config.string())
         << "</include>\n"
            "  <cachedir>"
         << markup_escape(cache_dir.string()) << "</cachedir>\n\n";

    conf << "  <!-- Font names of CJK documents: when a document asks for one (it is the first family of\n"
            "       the pattern), the Noto CJK face of the same design and orthography stands in, ahead\n"
            "       of the Latin fonts the system rules appended, so the text keeps CJK metrics. The\n"
            "       same names inside the system's generic lists are left alone. -->\n";
    for (const auto& alias : font_aliases) {
        conf << "  <match target=\"pattern\"><test qual=\"first\" name=\"family\"><string>"
             << markup_escape(alias.family)
             << "</string></test><edit name=\"family\" mode=\"prepend\" binding=\"strong\"><string>"
             << markup_escape(alias.target) << "</string></edit></match>\n";
    }

    const std::string not_other_cjk = not_other_cjk_language_tests();
    conf << "\n  <!-- Chinese without a region, or Singapore: the generic families start with the SC faces,\n"
            "       as the system rules already do for zh-cn. -->\n";
    for (const char* lang : {"zh", "zh-sg", "zh-hans"}) {
        for (const auto& [generic, face] : {std::pair{"sans-serif", sans_sc}, std::pair{"serif", serif_sc},
                                            std::pair{"monospace", "Noto Sans Mono CJK SC"}}) {
            conf << "  <match target=\"pattern\"><test name=\"lang\"><string>" << lang
                 << "</string></test><test name=\"family\"><string>" << generic
                 << "</string></test><edit name=\"family\" mode=\"prepend\" binding=\"strong\"><string>"
                 << face << "</string></edit></match>\n";
        }
    }

    conf
        << "\n  <!-- Han characters no earlier family covers, unless the text is tagged Japanese, Korean or\n"
           "       Traditional Chinese: the SC faces come last in every list, after the Latin fonts, so\n"
           "       they win over the JP faces fontconfig would otherwise pick first (all Noto CJK faces\n"
           "       cover the same characters and languages). Serif and monospace requests get the\n"
           "       matching design first. -->\n";
    conf << "  <match target=\"pattern\">\n"
         << not_other_cjk
         << "    <test name=\"family\"><string>serif</string></test>\n"
            "    <edit name=\"family\" mode=\"append_last\"><string>"
         << serif_sc
         << "</string></edit>\n"
            "  </match>\n"
            "  <match target=\"pattern\">\n"
         << not_other_cjk
         << "    <test name=\"family\"><string>monospace</string></test>\n"
            "    <edit name=\"family\" mode=\"append_last\"><string>Noto Sans Mono CJK SC</string></edit>\n"
            "  </match>\n"
            "  <match target=\"pattern\">\n"
         << not_other_cjk << "    <edit name=\"family\" mode=\"append_last\"><string>" << sans_sc
         << "</string></edit>\n"
            "    <edit name=\"family\" mode=\"append_last\"><string>"
         << serif_sc
         << "</string></edit>\n"
            "  </match>\n"
            "</fontconfig>\n";
    return conf.str();
}

}  // namespace wenku::worker
