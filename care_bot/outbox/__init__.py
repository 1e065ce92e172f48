"""The outbox: the durable, exactly-once path to Slack.

Posts, DMs, thread replies, updates and Home tabs are queued as rows in the caller's transaction
(``posting``), then claimed, sent and recorded by the sweep (``delivery``), with holds, retries
and outcomes kept in memory while the disk refuses them (``state``). What a row says when it is
rendered at send time, and what a delivered or refused alert changes, are the use cases'
business: ``flows`` hands them in as ``DeliveryHooks`` (``hooks``), so nothing here imports a flow.
"""
