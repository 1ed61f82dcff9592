# Unit tests: `command = plan` with a mocked provider. Terraform never starts
# a real provider session, so these need no API key, no sandbox and no network.
# The provider's schema still comes from the installed provider.

mock_provider "guayaba" {
  # What every guayaba_sessions data source returns, unless a run overrides it.
  mock_data "guayaba_sessions" {
    defaults = {
      keys = [
        "agent:main:telegram:group:-1001",
        "agent:main:telegram:group:-1002:topic:7",
      ]
    }
  }
}

run "labels_every_group" {
  command = plan

  assert {
    condition     = length(guayaba_session.group) == 2
    error_message = "Expected one guayaba_session per listed key."
  }

  assert {
    condition     = guayaba_session.group["agent:main:telegram:group:-1002:topic:7"].label == "Telegram group -1002:topic:7"
    error_message = "The label must be the prefix and the group id (with its topic)."
  }
}

run "custom_prefix" {
  command = plan

  variables {
    label_prefix = "Support"
  }

  assert {
    condition     = output.labels["agent:main:telegram:group:-1001"] == "Support -1001"
    error_message = "label_prefix must be used in every label."
  }
}

run "no_groups_no_resources" {
  command = plan

  # Replace the mocked listing for this run only.
  override_data {
    target = data.guayaba_sessions.groups
    values = {
      keys = []
    }
  }

  assert {
    condition     = length(guayaba_session.group) == 0
    error_message = "An agent without group sessions must get no guayaba_session."
  }
}

run "rejects_a_padded_prefix" {
  command = plan

  variables {
    label_prefix = "Support "
  }

  expect_failures = [var.label_prefix]
}
