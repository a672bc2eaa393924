import os

from django.core.wsgi import get_wsgi_application

from studyapp.startup import prepare_local_dirs

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "studyapp.settings")
prepare_local_dirs()
application = get_wsgi_application()
