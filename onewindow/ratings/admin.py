"""Admin of ratings: each part registers its own models in its own file."""

from onewindow.ratings import (
    complaint_admin,  # noqa: F401 - registers the complaint admins
    rating_admin,  # noqa: F401 - registers the ratings' admins
    rectification_admin,  # noqa: F401 - the rectification admins, the limits
)
