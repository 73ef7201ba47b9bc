#pragma once
// An IP network ("10.0.0.0/8", "2001:db8::/32", or one address, "192.0.2.7"), as the
// http.trusted_proxies setting names them. IPv4 is held as IPv4-mapped IPv6 (::ffff:a.b.c.d), so an
// IPv4 network also matches the same address seen on an IPv6 socket.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace wenku {

struct IpNetwork {
    std::array<std::uint8_t, 16> bytes{};  // the network's address, bits past the prefix cleared
    int prefix_bits = 128;                 // of the 128 (IPv4: 96 + the IPv4 prefix)

    /// "address" or "address/prefix" (IPv4 or IPv6, prefix up to 32 or 128); none for anything else.
    static std::optional<IpNetwork> parse(std::string_view text);
    /// Whether `address` (as parse_ip_address reads it) is in the network.
    bool contains(const std::array<std::uint8_t, 16>& address) const;
};

/// An IPv4 or IPv6 address as 16 bytes (IPv4 mapped); none when `text` is not one.
std::optional<std::array<std::uint8_t, 16>> parse_ip_address(std::string_view text);

/// A list of networks separated by commas or spaces; none when any part is not a network
/// (an empty list is fine).
std::optional<std::vector<IpNetwork>> parse_ip_networks(std::string_view text);

}  // namespace wenku
