from django.core.management.base import BaseCommand

from cchc.web.steering.demo import seed


class Command(BaseCommand):
    help = "Dữ liệu mẫu chỉ đạo, điều hành (kế hoạch, nhiệm vụ, Ban Chỉ đạo, chỉ tiêu, đề xuất) cho tỉnh demo."

    def handle(self, *args, **options):

        seed(stdout=self.stdout.write)
