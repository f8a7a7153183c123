"""Online booking: the public booking pages (``/book``), the booking's own link (``/book/manage/<token>``) and the
owner's client-side settings (``/settings/client-side``)."""
