"""Business rules and side effects; blueprints call these and stay thin."""
