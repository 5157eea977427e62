"""Operator views of fees: read-only — notices change only through the services, and bank
callbacks are a record that is never edited or deleted (nothing lost)."""

from django.contrib import admin

from onewindow.payments.models import BankCallback, PaymentNotice
from onewindow.readonly_admin import ReadOnlyAdmin


@admin.register(PaymentNotice)
class PaymentNoticeAdmin(ReadOnlyAdmin):
    list_display = [
        "number",
        "case",
        "department",
        "amount_yuan",
        "state",
        "issued_at",
        "paid_at",
        "deposited_at",
    ]
    list_filter = ["state", "department"]
    search_fields = ["number", "case__number", "bank_ref"]


@admin.register(BankCallback)
class BankCallbackAdmin(ReadOnlyAdmin):
    list_display = ["received_at", "notice_number", "amount_fen", "bank_ref", "outcome", "remote_addr"]
    list_filter = ["outcome"]
    search_fields = ["notice_number", "bank_ref"]
