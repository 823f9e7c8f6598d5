"""Operations: the health page, liveness/readiness and metrics endpoints, and alerts.

The machinery is generic; each integration fills the registry (:mod:`.registry`) with its
own health sections, incident checks and metrics from its ``AppConfig.ready``.
"""
