package org.nubes.compute.api;

import org.nubes.compute.service.Hosts;
import org.nubes.compute.service.QuotaSets;
import org.nubes.compute.service.Quotas;
import org.nubes.compute.service.ServerGroups;
import org.nubes.compute.store.InstanceStore;
import org.nubes.core.http.Routes;

/**
 * The admin and accounting routes, registered together: availability zones, hypervisors,
 * services, quota sets, limits and host aggregates.
 */
public final class ComputeAdminApi {
    private final AvailabilityZoneApi zones;
    private final HypervisorApi hypervisors;
    private final ServiceApi services;
    private final QuotaApi quotaSets;
    private final LimitsApi limits;
    private final AggregateApi aggregates;

    public ComputeAdminApi(Hosts hosts, InstanceStore instances, Quotas quotas, ServerGroups groups,
            org.nubes.core.bus.MessageBus bus) {
        QuotaSets sets = new QuotaSets(quotas, instances, groups);
        this.zones = new AvailabilityZoneApi(hosts);
        this.hypervisors = new HypervisorApi(hosts, instances, bus);
        this.services = new ServiceApi(hosts, instances);
        this.quotaSets = new QuotaApi(sets);
        this.limits = new LimitsApi(sets);
        this.aggregates = new AggregateApi(new org.nubes.compute.service.Aggregates(instances.jdbi(), hosts));
    }

    public void register(Routes routes) {
        zones.register(routes);
        hypervisors.register(routes);
        services.register(routes);
        quotaSets.register(routes);
        limits.register(routes);
        aggregates.register(routes);
    }
}
