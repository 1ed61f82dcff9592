# Integration tests: `command = apply` (the default) against a real API. Point
# the provider at guayaba-sandbox (or at a test agent of your own) through the
# environment before `terraform test`:
#
#   GUAYABA_BASE_URL=http://127.0.0.1:8787/api/v1
#   GUAYABA_API_KEY=<a key with agent:manage>
#   GUAYABA_AGENT_ID=<the agent>
#
# The assertions hold for any agent with at least one Telegram group session,
# such as the sandbox's demo agent. terraform test destroys what it applied at
# the end; guayaba_session's default on_destroy = "keep" leaves the sessions
# (and their new labels) in place.

run "labels_every_group" {
  assert {
    condition     = length(guayaba_session.group) > 0
    error_message = "The agent has no Telegram group session to label."
  }

  assert {
    condition = alltrue([
      for k, s in guayaba_session.group :
      s.label == "Telegram group ${trimprefix(k, var.key_prefix)}" && !s.archived
    ])
    error_message = "Every group session must carry its label and stay active."
  }
}

run "relabel" {
  variables {
    label_prefix = "Group"
  }

  assert {
    condition = alltrue([
      for k, label in output.labels : label == "Group ${trimprefix(k, var.key_prefix)}"
    ])
    error_message = "A new label_prefix must relabel every group session in place."
  }
}
