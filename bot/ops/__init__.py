"""Running a deployment: the doctor, the health check and the log format."""
