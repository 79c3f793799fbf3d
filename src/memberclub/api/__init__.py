"""The REST API (/api/v1/): member endpoints and operator endpoints."""
