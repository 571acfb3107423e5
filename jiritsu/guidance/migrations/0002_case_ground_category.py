"""The ground of a guidance case becomes one of the duties 法27条 guidance may concern.

Existing cases are mapped from their free text where it names one duty plainly; any other
(and any text about a voluntary program, which is never a ground) stays 'legacy', shown
as 「未分類（区分の導入前に開始した指導）」. The free text is kept as the detail.
"""

from django.db import migrations, models

# First match wins; a mention of a program keeps the row legacy (never a duty).
KEYWORDS = (
    ("legacy", ("プログラム", "就労支援事業", "就労準備支援")),
    ("work_capacity", ("稼働", "求職", "就労", "勤労", "働")),
    ("medical_care", ("受診", "療養", "治療", "通院", "服薬", "入院")),
    ("reporting", ("届出", "申告", "収入の報告", "未申告")),
    ("assets", ("資産", "預貯金", "自動車", "不動産", "保険の解約")),
    ("other_benefits", ("年金", "手当", "他法")),
    ("household_maintenance", ("家計", "浪費", "支出", "節約", "生活の維持")),
)


def categorise(apps, schema_editor):
    GuidanceCase = apps.get_model("guidance", "GuidanceCase")
    for case in GuidanceCase.objects.all().only("pk", "ground"):
        text = case.ground or ""
        for category, words in KEYWORDS:
            if any(w in text for w in words):
                if category != "legacy":
                    GuidanceCase.objects.filter(pk=case.pk).update(ground_category=category)
                break


class Migration(migrations.Migration):

    dependencies = [
        ('guidance', '0001_guidance_track'),
    ]

    operations = [
        migrations.AddField(
            model_name='guidancecase',
            name='ground_category',
            field=models.CharField(choices=[('work_capacity', '稼働能力の活用（勤労・求職活動）'), ('medical_care', '医療の受診・療養（健康の保持・増進）'), ('household_maintenance', '世帯の生活維持（収入・支出の把握、支出の節約）'), ('assets', '資産の活用'), ('other_benefits', '他法他施策の活用（年金・手当等の手続）'), ('reporting', '収入・世帯状況の届出'), ('legacy', '未分類（区分の導入前に開始した指導）')], default='legacy', max_length=30, verbose_name='指導の根拠となる義務'),
        ),
        migrations.AlterField(
            model_name='guidancecase',
            name='ground',
            field=models.TextField(verbose_name='指導を要する事情（具体的な事実）'),
        ),
        migrations.RunPython(categorise, migrations.RunPython.noop),
    ]
