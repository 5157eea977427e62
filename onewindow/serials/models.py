from django.db import models


class Serial(models.Model):
    """Serial numbers on SQLite, one row per series (writers queue there anyway). PostgreSQL
    uses a SEQUENCE per series instead (ARCHITECTURE.md: a locked counter row is a hot spot)."""

    key = models.CharField(max_length=80, unique=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = verbose_name_plural = "编号序列"

    def __str__(self):
        return f"{self.key}: {self.last}"
