"""Django settings and URL configuration."""
