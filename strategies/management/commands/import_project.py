from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from strategies.portability import ProjectImportError, project_import, read_document
from strategies.portability.importer import max_bytes


class Command(BaseCommand):
    help = (
        "Create a new project from a file written by export_project (or the project page's JSON export). "
        "Nothing is written unless the whole file imports. The file's members join only when named "
        "(--member, repeatable) or all confirmed (--all-members), and only if they have an account here."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the JSON file")
        parser.add_argument("--owner", help="username of the user who becomes the project's consultant")
        parser.add_argument(
            "--member",
            action="append",
            default=[],
            metavar="USERNAME",
            help="add this member of the file (with the file's role) if the account exists here; repeatable",
        )
        parser.add_argument(
            "--all-members",
            action="store_true",
            help="add every member of the file (with the file's role) whose account exists here",
        )

    def handle(self, *args, file: str, owner=None, member=(), all_members: bool = False, **options):
        user = None
        if owner is not None:
            user = get_user_model().objects.filter(username=owner, is_active=True).first()
            if user is None:
                raise CommandError(f'No active user "{owner}".')
        elif not (member or all_members):
            raise CommandError(
                "Name the consultant with --owner USERNAME, or confirm the file's members with "
                "--member USERNAME or --all-members."
            )
        path = Path(file)
        try:
            if path.stat().st_size > max_bytes():
                raise CommandError(f"{file} is larger than {max_bytes() // (1024 * 1024)} MiB; not a project export.")
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}.") from error
        try:
            document = read_document(data)
            if all_members:
                listed = document.get("members") if isinstance(document, dict) else None
                member = (
                    [row.get("user") for row in listed if isinstance(row, dict)] if isinstance(listed, list) else []
                )
            # The operator running this command stands for staff: the file's manager roles are kept
            # for the members confirmed here (the web import makes them viewers).
            project = project_import(document=document, user=user, members=member, grant_manager=True)
        except ProjectImportError as error:
            raise CommandError(f"{file} was not imported, nothing was changed. {error}") from error
        members = ", ".join(f"{m.user.get_username()} ({m.role})" for m in project.memberships.select_related("user"))
        self.stdout.write(self.style.SUCCESS(f'Imported "{project}" as project {project.pk}; members: {members}.'))
