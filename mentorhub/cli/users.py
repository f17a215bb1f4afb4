"""`flask create-user`."""

from __future__ import annotations

import click
from marshmallow import ValidationError

from mentorhub.errors import Conflict
from mentorhub.schemas.auth import RegisterSchema
from mentorhub.services.accounts import register_user


@click.command("create-user")
@click.option("--email", prompt=True)
@click.option("--name", prompt=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--mentor/--student", "is_mentor", default=False, help="Create a mentor.")
def create_user(email: str, name: str, password: str, is_mentor: bool) -> None:
    """Create a user account."""
    try:
        data = RegisterSchema().load(
            {"email": email, "name": name, "password": password, "is_mentor": is_mentor}
        )
        user = register_user(**data)
    except ValidationError as error:
        messages = "; ".join(f"{k}: {' '.join(v)}" for k, v in error.messages.items())
        raise click.ClickException(messages) from None
    except Conflict as error:
        raise click.ClickException(error.message) from None
    click.echo(f"Created {'mentor' if user.is_mentor else 'student'} {user.email} (id {user.id}).")
