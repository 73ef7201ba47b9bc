#include "core/config.h"

#include <initializer_list>
#include <utility>

#include <fmt/format.h>

#include "core/errors.h"

namespace wenku {

namespace {

/// Reads settings by kind, each checked against what is allowed, and remembers what it read.
class SettingReader {
  public:
    SettingReader(const Settings& settings, std::vector<std::string>* keys_read)
        : settings_(settings), keys_read_(keys_read) {}

    long long whole(const std::string& key, long long lo, long long hi) const {
        const std::string& v = value(key);
        long long n = 0;
        try {
            std::size_t used = 0;
            n = std::stoll(v, &used);
            if (used != v.size()) throw std::invalid_argument(v);
        } catch (const std::exception&) {
            refuse(key, v, fmt::format("a whole number from {} to {}", lo, hi));
        }
        if (n < lo || n > hi) refuse(key, v, fmt::format("a whole number from {} to {}", lo, hi));
        return n;
    }

    int whole_int(const std::string& key, int lo, int hi) const {
        return static_cast<int>(whole(key, lo, hi));
    }

    bool flag(const std::string& key) const {
        const std::string& v = value(key);
        if (v == "1") return true;
        if (v == "0") return false;
        refuse(key, v, "1 or 0");
    }

    template <typename Enum>
    Enum word(const std::string& key, std::initializer_list<std::pair<const char*, Enum>> allowed) const {
        const std::string& v = value(key);
        std::string names;
        std::size_t i = 0;
        for (const auto& [name, e] : allowed) {
            if (v == name) return e;
            if (i > 0) names += i + 1 == allowed.size() ? " or " : ", ";
            names += name;
            ++i;
        }
        refuse(key, v, names);
    }

    const std::string& text(const std::string& key) const { return value(key); }

  private:
    const std::string& value(const std::string& key) const {
        if (keys_read_) keys_read_->push_back(key);
        return settings_.get(key);
    }

    [[noreturn]] static void refuse(const std::string& key, const std::string& v,
                                    const std::string& allowed) {
        throw UsageError(fmt::format("setting {} must be {}, not '{}'", key, allowed, v));
    }

    const Settings& settings_;
    std::vector<std::string>* keys_read_;
};

constexpr long long mega = 1'000'000;

ConvertConfig convert_config(const SettingReader& r) {
    ConvertConfig c;
    c.jobs = r.whole_int("convert.jobs", 0, 256);
    c.timeout = std::chrono::seconds(r.whole("convert.timeout_seconds", 1, 86400));
    c.worker_memory_mb = r.whole("convert.worker_memory_mb", 16, 1 << 20);
    c.render_memory_mb = r.whole("convert.render_memory_mb", 16, 1 << 20);
    c.worker_file_mb = r.whole("convert.worker_file_mb", 1, 1 << 20);
    c.worker_documents = r.whole_int("convert.worker_documents", 1, 1'000'000);
    c.worker_rss_mb = r.whole("convert.worker_rss_mb", 16, 1 << 20);
    c.sandbox = r.word<SandboxMode>(
        "convert.sandbox",
        {{"auto", SandboxMode::automatic}, {"bwrap", SandboxMode::bwrap}, {"basic", SandboxMode::basic}});
    c.ocr = r.flag("convert.ocr");
    c.ocr_languages = r.text("convert.ocr_languages");
    if (c.ocr_languages.empty() ||
        c.ocr_languages.find_first_not_of("abcdefghijklmnopqrstuvwxyz_+") != std::string::npos) {
        throw UsageError(
            "setting convert.ocr_languages must be tesseract language names joined by '+' "
            "(chi_sim+eng), not '" +
            c.ocr_languages + "'");
    }
    c.paper = r.word<std::string>("convert.paper", {{"a4", "a4"}, {"letter", "letter"}});
    c.ocr_page_seconds = r.whole_int("convert.ocr_page_seconds", 1, 3600);
    c.ocr_document_seconds = r.whole_int("convert.ocr_document_seconds", 0, 86400);
    c.ocr_max_pixels = r.whole("convert.ocr_max_pixels", 10'000, 1000 * mega);
    c.max_file_bytes = static_cast<std::uint64_t>(r.whole("convert.max_file_mb", 1, 1 << 20)) << 20;
    c.max_pages = r.whole_int("convert.max_pages", 1, 1'000'000);
    c.max_page_pixels = r.whole("convert.max_page_pixels", 10'000, 10'000 * mega);
    c.limits.zip_max_entries = r.whole("convert.zip_max_entries", 1, 10 * mega);
    c.limits.zip_max_entry_mb = r.whole("convert.zip_max_entry_mb", 1, 1 << 20);
    c.limits.zip_max_total_mb = r.whole("convert.zip_max_total_mb", 1, 1 << 20);
    c.limits.zip_max_ratio = r.whole("convert.zip_max_ratio", 1, 1'000'000);
    c.limits.csv_max_columns = r.whole("convert.csv_max_columns", 1, 100'000);
    c.limits.csv_max_rows = r.whole("convert.csv_max_rows", 1, 100 * mega);
    c.limits.csv_max_cells = r.whole("convert.csv_max_cells", 1, 1000 * mega);
    c.limits.csv_max_cell_bytes = r.whole("convert.csv_max_cell_bytes", 1, 1 << 30);
    return c;
}

IngestConfig ingest_config(const SettingReader& r) {
    IngestConfig c;
    c.near_duplicate =
        r.word<NearDuplicateAction>("ingest.near_duplicate", {{"flag", NearDuplicateAction::flag},
                                                              {"refuse", NearDuplicateAction::refuse},
                                                              {"off", NearDuplicateAction::off}});
    // Below one half, LSH banding (32 bands of 4) no longer finds most candidates, and texts on one
    // subject share that much by chance.
    c.near_duplicate_similarity = r.whole_int("ingest.near_duplicate_similarity", 50, 100);
    c.max_page_text_bytes = static_cast<std::size_t>(r.whole("ingest.max_page_text_kb", 1, 64 * 1024)) << 10;
    c.index_commit_documents = r.whole_int("ingest.index_commit_documents", 1, 1'000'000);
    c.index_commit_interval = std::chrono::seconds(r.whole("ingest.index_commit_seconds", 0, 3600));
    c.queue_poll_interval = std::chrono::milliseconds(r.whole("ingest.queue_poll_ms", 10, 60'000));
    c.failed_retention = std::chrono::seconds(r.whole("ingest.failed_retention_days", 0, 36'500) * 86400);
    return c;
}

StorageConfig storage_config(const SettingReader& r) {
    StorageConfig c;
    auto mebibytes = [&r](const char* key) {
        return static_cast<std::uint64_t>(r.whole(key, 0, 1ll << 30)) << 20;
    };
    c.min_free_bytes = mebibytes("storage.min_free_mb");
    c.max_library_bytes = mebibytes("storage.max_library_mb");
    c.address_bytes_per_day = mebibytes("storage.address_mb_per_day");
    c.address_documents_per_day = r.whole_int("storage.address_documents_per_day", 0, 1'000'000'000);
    return c;
}

PreviewConfig preview_config(const SettingReader& r) {
    PreviewConfig c;
    c.width = r.whole_int("preview.width", 100, 10000);
    c.thumb_width = r.whole_int("preview.thumb_width", 16, 4000);
    c.webp_quality = r.whole_int("preview.webp_quality", 0, 100);
    c.watermark = r.text("preview.watermark");
    c.watermark_opacity = r.whole_int("preview.watermark_opacity", 0, 100);
    c.free_pages = r.whole_int("preview.free_pages", 0, 1'000'000);
    return c;
}

DescriptionConfig description_config(const SettingReader& r) {
    DescriptionConfig c;
    c.chars_per_page = static_cast<std::size_t>(r.whole("description.chars_per_page", 0, 100'000));
    return c;
}

SiteConfig site_config(const SettingReader& r) {
    SiteConfig c;
    c.name = r.text("site.name");
    c.url = r.text("site.url");
    while (c.url.ends_with('/')) c.url.pop_back();
    if (!c.url.starts_with("http://") && !c.url.starts_with("https://")) {
        throw UsageError("setting site.url must be an address starting with http:// or https://, not '" +
                         c.url + "'");
    }
    c.copyright = r.text("site.copyright");
    c.icp = r.text("site.icp");
    c.uploads = r.flag("site.uploads");
    c.public_text_all = r.word<bool>("site.public_text", {{"free", false}, {"all", true}});
    c.home_documents = r.whole_int("site.home_documents", 0, 1000);
    c.related_documents = r.whole_int("site.related_documents", 0, 1000);
    c.guess_documents = r.whole_int("site.guess_documents", 0, 1000);
    c.related_searches = r.whole_int("site.related_searches", 0, 1000);
    c.category_page_size = r.whole_int("site.category_page_size", 1, 1000);
    c.search_page_size = r.whole_int("site.search_page_size", 1, 1000);
    c.sitemap_documents = r.whole_int("site.sitemap_documents", 0, 49'999);  // a sitemap holds 50,000
    return c;
}

HttpConfig http_config(const SettingReader& r) {
    HttpConfig c;
    c.address = r.text("http.address");
    c.port = static_cast<unsigned short>(r.whole("http.port", 0, 65535));
    c.threads = r.whole_int("http.threads", 0, 1024);
    c.max_body_bytes = static_cast<std::size_t>(r.whole("http.max_body_kb", 1, 1 << 20)) << 10;
    c.max_in_flight = r.whole_int("http.max_in_flight", 1, 1'000'000);
    c.max_connections = r.whole_int("http.max_connections", 1, 1'000'000);
    c.rate_per_ip = static_cast<double>(r.whole("http.rate_per_ip", 0, 1'000'000));
    c.rate_burst = static_cast<double>(r.whole("http.rate_burst", 1, 1'000'000));
    c.idle_seconds = r.whole_int("http.idle_seconds", 1, 86400);
    c.header_seconds = r.whole_int("http.header_seconds", 1, 3600);
    c.busy_percent = r.whole_int("http.busy_percent", 1, 100);
    c.busy_header_seconds = r.whole_int("http.busy_header_seconds", 1, 3600);
    c.max_connections_per_address = r.whole_int("http.max_connections_per_address", 1, 1'000'000);
    c.max_requests_per_address = r.whole_int("http.max_requests_per_address", 1, 1'000'000);
    c.min_rate_bytes = static_cast<std::uint64_t>(r.whole("http.min_rate_bytes", 0, 1'000'000'000));
    c.min_rate_seconds = r.whole_int("http.min_rate_seconds", 0, 3600);
    c.rate_table_entries = static_cast<std::size_t>(r.whole("http.rate_table_entries", 1, 100'000'000));
    const std::string& proxies = r.text("http.trusted_proxies");
    auto networks = parse_ip_networks(proxies);
    if (!networks) {
        throw UsageError(
            "setting http.trusted_proxies must be addresses or networks (192.0.2.1, "
            "10.0.0.0/8, 2001:db8::/32) separated by commas, not '" +
            proxies + "'");
    }
    c.trusted_proxies = std::move(*networks);
    c.stop_grace_seconds = r.whole_int("http.stop_grace_seconds", 0, 86400);
    const auto pool = [&r](const std::string& name) {
        return WorkPoolConfig{r.whole_int("http." + name + "_threads", 1, 1024),
                              r.whole_int("http." + name + "_queue", 1, 1'000'000)};
    };
    c.light_pool = pool("light");
    c.page_pool = pool("page");
    c.search_pool = pool("search");
    c.upload_pool = pool("upload");
    c.access_log = r.flag("http.access_log");
    c.open_files = static_cast<std::size_t>(r.whole("http.open_files", 0, 1'000'000));
    c.page_cache_lifetime = std::chrono::seconds(r.whole("http.page_cache_seconds", 0, 86400));
    c.page_cache_entries = static_cast<std::size_t>(r.whole("http.page_cache_entries", 0, 100'000'000));
    c.document_cache_entries =
        static_cast<std::size_t>(r.whole("http.document_cache_entries", 0, 100'000'000));
    c.search_cache_entries = static_cast<std::size_t>(r.whole("http.search_cache_entries", 0, 100'000'000));
    c.flush_interval = std::chrono::seconds(r.whole("http.flush_seconds", 1, 3600));
    c.count_backlog_entries = static_cast<std::size_t>(r.whole("http.count_backlog_entries", 0, 100'000'000));
    return c;
}

SearchConfig search_config(const SettingReader& r) {
    SearchConfig c;
    auto count = [&r](const char* key, long long hi) {
        return static_cast<std::size_t>(r.whole(key, 1, hi));
    };
    c.query_max_chars = count("search.query_max_chars", 100'000);
    c.query_max_parts = count("search.query_max_parts", 1'000);
    c.query_max_part_tokens = count("search.query_max_part_tokens", 10'000);
    c.snippet_chars = count("search.snippet_chars", 10'000);
    c.related_list_size = count("search.related_list_size", 1'000);
    c.related_refresh_percent = r.whole_int("search.related_refresh_percent", 0, 1'000);
    c.log_max_pending = count("search.log_max_pending", 10'000'000);
    c.reader_reopen = std::chrono::milliseconds(r.whole("search.reader_reopen_ms", 0, 3'600'000));
    c.key_terms = count("search.key_terms", 1'000);
    c.distinct_queries_per_hour =
        static_cast<std::size_t>(r.whole("search.distinct_queries_per_hour", 0, 100'000'000));
    c.budget_addresses = count("search.budget_addresses", 100'000'000);
    c.suggest_min_addresses = count("search.suggest_min_addresses", 1'000'000);
    c.suggest_min_days = r.whole_int("search.suggest_min_days", 1, 3650);
    c.suggest_max_chars = count("search.suggest_max_chars", 1'000);
    c.log_max_days = r.whole_int("search.log_max_days", 1, 36500);
    c.log_max_queries = count("search.log_max_queries", 100'000'000);
    return c;
}

AccountsConfig accounts_config(const SettingReader& r) {
    AccountsConfig c;
    c.registration = r.word<Registration>(
        "accounts.registration",
        {{"open", Registration::open}, {"closed", Registration::closed}, {"invite", Registration::invite}});
    c.anonymous_uploads = r.flag("accounts.anonymous_uploads");
    c.session_lifetime = std::chrono::seconds(r.whole("accounts.session_days", 1, 3650) * 86400);
    c.secure_cookie = r.word<SecureCookie>(
        "accounts.secure_cookie",
        {{"auto", SecureCookie::automatic}, {"1", SecureCookie::always}, {"0", SecureCookie::never}});
    c.min_password_chars = r.whole_int("accounts.min_password_chars", 1, 1000);
    c.login_failures_per_account = r.whole_int("accounts.login_failures_per_account", 1, 1'000'000);
    c.login_failures_per_address = r.whole_int("accounts.login_failures_per_address", 1, 1'000'000);
    c.login_window = std::chrono::seconds(r.whole("accounts.login_window_seconds", 1, 86400 * 30));
    return c;
}

MailConfig mail_config(const SettingReader& r) {
    MailConfig c;
    c.smtp_url = r.text("mail.smtp_url");
    if (!c.smtp_url.empty()) {
        if (!c.smtp_url.starts_with("smtp://") && !c.smtp_url.starts_with("smtps://")) {
            throw UsageError(
                "setting mail.smtp_url must be empty or an address starting with smtp:// or "
                "smtps://, not '" +
                c.smtp_url + "'");
        }
        const std::string authority = c.smtp_url.substr(c.smtp_url.find("//") + 2);
        if (authority.substr(0, authority.find('/')).find('@') != std::string::npos) {
            // Not quoted: it holds a password.
            throw UsageError(
                "setting mail.smtp_url must not hold a user name or password: set mail.username and "
                "mail.password instead");
        }
        if (c.smtp_url.find_first_of(" \t\r\n") != std::string::npos) {
            throw UsageError("setting mail.smtp_url must not contain spaces or line breaks");
        }
    }
    c.from = r.text("mail.from");
    if (!c.smtp_url.empty() && c.from.find('@') == std::string::npos) {
        throw UsageError(
            "setting mail.from must be the sender's address (noreply@example.org) when mail.smtp_url is set, "
            "not '" +
            c.from + "'");
    }
    c.username = r.text("mail.username");
    c.password = r.text("mail.password");
    if (!c.password.empty() && c.username.empty()) {
        throw UsageError("setting mail.password is set but mail.username is empty");
    }
    c.starttls = r.word<StartTls>(
        "mail.starttls",
        {{"none", StartTls::none}, {"try", StartTls::attempt}, {"required", StartTls::required}});
    c.timeout = std::chrono::seconds(r.whole("mail.timeout_seconds", 1, 3600));
    return c;
}

}  // namespace

Config Config::from(const Settings& settings, std::vector<std::string>* keys_read) {
    const SettingReader r(settings, keys_read);
    Config c;
    c.convert = convert_config(r);
    c.ingest = ingest_config(r);
    c.storage = storage_config(r);
    c.preview = preview_config(r);
    c.description = description_config(r);
    c.site = site_config(r);
    c.http = http_config(r);
    c.search = search_config(r);
    c.accounts = accounts_config(r);
    c.mail = mail_config(r);
    return c;
}

}  // namespace wenku
