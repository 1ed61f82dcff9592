# One active session by key (fails if the agent has no such active session).
data "guayaba_session" "ana" {
  key = "agent:main:telegram:direct:123456789"
}

output "ana" {
  value = {
    session_id   = data.guayaba_session.ana.session_id
    label        = data.guayaba_session.ana.label
    updated_at   = data.guayaba_session.ana.updated_at
    last_channel = data.guayaba_session.ana.last_channel
    # The origin object, decoded: provider, surface, from, to, ...
    from = try(jsondecode(data.guayaba_session.ana.origin_json).from, null)
  }
}
