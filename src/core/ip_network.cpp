#include "core/ip_network.h"

#include <arpa/inet.h>

#include <charconv>

namespace wenku {

std::optional<std::array<std::uint8_t, 16>> parse_ip_address(std::string_view text) {
    if (text.empty() || text.size() > 63) return std::nullopt;
    const std::string s(text);
    std::array<std::uint8_t, 16> out{};
    in_addr v4{};
    if (inet_pton(AF_INET, s.c_str(), &v4) == 1) {
        out[10] = out[11] = 0xff;
        const auto* b = reinterpret_cast<const std::uint8_t*>(&v4.s_addr);  // network order
        std::copy(b, b + 4, out.begin() + 12);
        return out;
    }
    in6_addr v6{};
    if (inet_pton(AF_INET6, s.c_str(), &v6) == 1) {
        std::copy(v6.s6_addr, v6.s6_addr + 16, out.begin());
        return out;
    }
    return std::nullopt;
}

std::optional<IpNetwork> IpNetwork::parse(std::string_view text) {
    const auto slash = text.find('/');
    const auto address = parse_ip_address(text.substr(0, slash));
    if (!address) return std::nullopt;
    const bool v4 = text.substr(0, slash).find(':') == std::string_view::npos;
    IpNetwork net;
    net.bytes = *address;
    net.prefix_bits = 128;
    if (slash != std::string_view::npos) {
        const std::string_view digits = text.substr(slash + 1);
        int prefix = -1;
        const auto r = std::from_chars(digits.data(), digits.data() + digits.size(), prefix);
        if (digits.empty() || r.ec != std::errc{} || r.ptr != digits.data() + digits.size() || prefix < 0 ||
            prefix > (v4 ? 32 : 128)) {
            return std::nullopt;
        }
        net.prefix_bits = v4 ? 96 + prefix : prefix;
    }
    for (int bit = net.prefix_bits; bit < 128; ++bit)
        net.bytes[static_cast<std::size_t>(bit / 8)] &= static_cast<std::uint8_t>(~(0x80u >> (bit % 8)));
    return net;
}

bool IpNetwork::contains(const std::array<std::uint8_t, 16>& address) const {
    for (int bit = 0; bit < prefix_bits; ++bit) {
        const auto i = static_cast<std::size_t>(bit / 8);
        const unsigned mask = 0x80u >> (bit % 8);
        if ((address[i] & mask) != (bytes[i] & mask)) return false;
    }
    return true;
}

std::optional<std::vector<IpNetwork>> parse_ip_networks(std::string_view text) {
    std::vector<IpNetwork> out;
    while (!text.empty()) {
        const auto end = text.find_first_of(", \t");
        const std::string_view part = text.substr(0, end);
        text = end == std::string_view::npos ? std::string_view{} : text.substr(end + 1);
        if (part.empty()) continue;
        auto net = IpNetwork::parse(part);
        if (!net) return std::nullopt;
        out.push_back(*net);
    }
    return out;
}

}  // namespace wenku
