#pragma once
// Who a request comes from. Directly connected clients are their peer address. Behind a reverse
// proxy every request comes from the proxy's address; only when the peer is one of
// http.trusted_proxies are its X-Forwarded-For and X-Real-IP headers believed, so no client can
// choose the address its limits are counted under.
#include <string>
#include <string_view>
#include <vector>

#include "core/ip_network.h"

namespace wenku::web {

class TrustedProxies {
  public:
    explicit TrustedProxies(std::vector<IpNetwork> networks) : networks_(std::move(networks)) {}

    /// Whether `address` (textual IPv4 or IPv6) is a trusted proxy; false for anything unparsable.
    bool trusts(std::string_view address) const;

    /// The client's address: `peer` unless the peer is trusted. From a trusted peer, the
    /// right-most address of `forwarded_for` (X-Forwarded-For, comma-separated; several headers
    /// joined) that is not itself trusted; the left-most when all are trusted; then `real_ip`
    /// (X-Real-IP); then `peer`. An entry that is not an IP address ends the walk: the last good
    /// address to its right is taken (or `peer` when there is none).
    std::string client_address(const std::string& peer, std::string_view forwarded_for,
                               std::string_view real_ip) const;

  private:
    std::vector<IpNetwork> networks_;
};

}  // namespace wenku::web
