# An active session: <agent_id>/<key> (keys may contain colons and slashes).
terraform import guayaba_session.support "5f0c6a3e-2b1d-4c8e-9f7a-1e2d3c4b5a69/agent:main:telegram:group:-1001234567890:topic:42"

# The key alone, when the provider block (or GUAYABA_AGENT_ID) sets agent_id.
terraform import guayaba_session.support "agent:main:telegram:group:-1001234567890:topic:42"

# An archived session: <agent_id>/<key>@<archive_filename>, or <key>@<archive_filename>,
# with the filename as listed by the guayaba_archives data source.
terraform import guayaba_session.old_api_session "5f0c6a3e-2b1d-4c8e-9f7a-1e2d3c4b5a69/api:6d0f5c2e-8b1a-4f3e-9c7d-2a1b3c4d5e6f@5a6b7c8d-9e0f-4a1b-8c3d-4e5f6a7b8c9d.jsonl.deleted.2026-11-28T17-00-00.000Z"
