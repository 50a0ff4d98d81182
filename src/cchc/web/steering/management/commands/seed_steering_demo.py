from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Dữ liệu mẫu chỉ đạo, điều hành (kế hoạch, nhiệm vụ, Ban Chỉ đạo, chỉ tiêu, đề xuất) cho tỉnh demo."

    def handle(self, *args, **options):
        from cchc.web.steering.demo import seed

        seed(stdout=self.stdout.write)
