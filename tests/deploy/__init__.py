"""What ships it: the Dockerfile, the Helm chart, the alert rules and the dashboard against Prometheus."""
