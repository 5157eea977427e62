"""Admin of ratings: each part registers its own models in its own file."""

from onewindow.ratings import complaint_admin  # noqa: F401 - registers the complaint admins
from onewindow.ratings import rating_admin  # noqa: F401 - registers the ratings' admins
