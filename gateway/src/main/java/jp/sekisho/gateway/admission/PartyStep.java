package jp.sekisho.gateway.admission;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.function.BiPredicate;
import jp.sekisho.gateway.identity.Principal;
import jp.sekisho.gateway.identity.Role;
import jp.sekisho.gateway.route.Party;
import jp.sekisho.gateway.route.Route;

/**
 * The principal is a party of the route on the side the request acts for (sender or receiver), and
 * the client address is inside that party's CIDRs.
 */
final class PartyStep implements Step {

    private final BiPredicate<String, InetAddress> cidrContains;

    /** @param cidrContains whether a CIDR (text) contains an address; the edge's parser decides syntax */
    PartyStep(BiPredicate<String, InetAddress> cidrContains) {
        this.cidrContains = cidrContains;
    }

    @Override
    public Decision.Denied check(AdmissionRequest request, Attempt attempt) {
        Route route = attempt.route();
        if (route == null) {
            return null;
        }
        Principal p = attempt.principal();
        Side side = request.target().side() != null ? request.target().side() : sideOf(route, p);
        attempt.side(side);
        List<Party> parties = side == Side.SENDER ? route.senders() : route.receivers();
        Party party = parties.stream()
                .filter(x -> x.matches(p.subject(), p.sha256()))
                .findFirst()
                .orElse(null);
        if (party == null) {
            return attempt.deny(
                    side == Side.SENDER ? Reason.NOT_A_SENDER : Reason.NOT_A_RECEIVER,
                    p.subject() + " is not a " + side.label() + " of route " + route.id());
        }
        InetAddress source = address(request.connection().clientIp());
        if (source == null || party.allow().stream().noneMatch(c -> cidrContains.test(c, source))) {
            return attempt.deny(
                    Reason.SOURCE_NOT_ALLOWED,
                    request.connection().clientIp() + " is not an allowed address of " + party.label() + " on route "
                            + route.id());
        }
        return null;
    }

    /** A sender of the route holding the sender role acts as sender; anyone else as receiver. */
    private static Side sideOf(Route route, Principal p) {
        boolean sender =
                p.hasRole(Role.SENDER) && route.senders().stream().anyMatch(x -> x.matches(p.subject(), p.sha256()));
        return sender ? Side.SENDER : Side.RECEIVER;
    }

    private static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal); // a literal from the socket: no DNS lookup
        } catch (UnknownHostException | RuntimeException e) {
            return null;
        }
    }
}
