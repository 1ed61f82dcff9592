# Every labelled active session of the agent becomes an entry of labels.
terraform import guayaba_session_labels.support "5f0c6a3e-2b1d-4c8e-9f7a-1e2d3c4b5a69"

# An empty ID imports the labels of the provider's agent_id.
terraform import guayaba_session_labels.support ""
