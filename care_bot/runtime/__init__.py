"""The process: what runs CARE bot, as opposed to what CARE bot does.

Building the Bolt app and its services (``app``), HTTP behind the signature and shape checks
(``server``, ``request_guard``, ``request_shape``) or Socket Mode (``socket_mode``), the sweep
thread and its lease (``scheduler``, ``leadership``, ``lease_state``), ``/healthz``
(``health``), the heartbeat, the bot's identity and the origin of requests (``identity``,
``origin``), outages (``uptime``), the storage watchdog, the start-up wiring check (``wiring``)
and logging (``logs``).
"""
