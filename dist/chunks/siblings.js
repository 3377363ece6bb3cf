/** An OCI repository URL compared as a place: scheme and host case-insensitive, trailing slashes dropped. */
function repositoryKey(url) {
    const trimmed = url.trim().replace(/\/+$/, '');
    const match = /^(oci:\/\/)([^/]+)(.*)$/i.exec(trimmed);
    return match ? `oci://${match[2].toLowerCase()}${match[3]}` : trimmed;
}
/** Whether a Chart.yaml `repository` is where this monorepo publishes (see the header). */
function isPublishingRepository(repository, registry) {
    if (!/^oci:\/\//i.test(repository.trim()))
        return false;
    return registry ? repositoryKey(repository) === repositoryKey(registry) : true;
}
/** The Chart.yaml dependencies of `blueprint` that are sibling blueprints, in Chart.yaml order. */
function siblingDependencies(index, blueprint, registry) {
    const found = [];
    for (const [i, dependency] of (blueprint.chart?.dependencies ?? []).entries()) {
        if (typeof dependency?.name !== 'string' || typeof dependency.repository !== 'string')
            continue;
        const sibling = index.byChartName(dependency.name);
        if (!sibling || sibling.dir === blueprint.dir)
            continue;
        if (!isPublishingRepository(dependency.repository, registry))
            continue;
        found.push({ dependency, index: i, sibling });
    }
    return found;
}

export { isPublishingRepository as i, siblingDependencies as s };
