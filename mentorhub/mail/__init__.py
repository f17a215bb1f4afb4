"""Email: rendering the templates, building messages and keeping an SMTP connection."""
