# Requires Terraform >= 1.14 (actions).
# Delete one session for good, only if it still carries the label you saw:
#   terraform apply -invoke=action.guayaba_delete_session.test_chat
action "guayaba_delete_session" "test_chat" {
  config {
    key            = "agent:main:webchat:direct:visitor-7f3a"
    expected_label = "Load test"
  }
}
