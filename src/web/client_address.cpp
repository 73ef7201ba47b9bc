#include "web/client_address.h"

namespace wenku::web {

namespace {

std::string_view trimmed(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

}  // namespace

bool TrustedProxies::trusts(std::string_view address) const {
    if (networks_.empty()) return false;
    const auto bytes = parse_ip_address(address);
    if (!bytes) return false;
    for (const IpNetwork& n : networks_) {
        if (n.contains(*bytes)) return true;
    }
    return false;
}

std::string TrustedProxies::client_address(const std::string& peer, std::string_view forwarded_for,
                                           std::string_view real_ip) const {
    if (!trusts(peer)) return peer;
    std::string found;  // the last well-formed address walked, right to left
    std::string_view rest = forwarded_for;
    while (!trimmed(rest).empty()) {
        const auto comma = rest.rfind(',');
        const std::string_view entry =
            trimmed(comma == std::string_view::npos ? rest : rest.substr(comma + 1));
        rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(0, comma);
        if (!parse_ip_address(entry)) break;
        found = std::string(entry);
        if (!trusts(entry)) return found;
    }
    if (!found.empty()) return found;
    const std::string_view real = trimmed(real_ip);
    if (parse_ip_address(real)) return std::string(real);
    return peer;
}

}  // namespace wenku::web
